"""People, roles and credentials: users and service accounts, groups, password sign-in with lockout,
web sessions, API keys with scopes, invitations and seats. The gateway's authentication calls
:mod:`jisik.accounts.credentials`; the routes call the other modules."""
