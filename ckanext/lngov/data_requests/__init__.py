"""Public data requests (数据需求), see store.py."""
