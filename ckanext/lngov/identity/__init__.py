"""Sign-in with the province's unified identity (统一身份认证) over OpenID Connect, beside the
local accounts: `settings.py` (the options, checked at start), `client.py` (the relying
party: discovery, code flow with PKCE, ID token, logout), `mapping.py` (the department
claim as memberships), `accounts.py` (the account of a subject), `views.py` (the routes and
the logout). docs/identity.md tells the whole."""
