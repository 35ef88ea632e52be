"""The platform: who acts (auth), what each role may do (permissions), the audit trail, errors, CSV intake."""
