"""A simulated provincial data sharing and exchange platform (数据共享交换平台).

Implements ``openapi.yaml`` (the platform's catalog interface) on Starlette, with a
deterministic provincial catalog, an admin ``/_control`` interface to simulate changes and
misbehaviour, and a paged DCAT-AP (Turtle) feed of the openable entries. Not part of
the CKAN extension: the portal's tests and demo harvest it. See ``README.md``.
"""
