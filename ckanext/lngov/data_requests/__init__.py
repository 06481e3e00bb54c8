"""Public data requests (数据需求): a signed-in user asks a department for data that is not
open yet; the request is public with its status (open, answered, opened as entry X,
declined with a reason from applications/reasons.yaml), never with who asked; the
department's editors answer it. Signed-in users follow a request; its followers and the
requester are mailed its answer. Who follows is nobody else's business: the public sees only
how many do.

- store.py: the tables lngov_data_request (migration a1c0de000005) and
  lngov_data_request_follower (a1c0de000006), a request as the public sees it
- schema.py: the actions' input as navl schemas
- actions.py: the actions lngov_data_request_*; auth.py: their auth functions
- notify.py: the answer mailed to the requester and the followers
- views.py: the pages under /data-requests
"""
