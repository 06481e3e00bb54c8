"""Applications for conditionally open entries (有条件开放, R3).

Whoever is outside an entry's stated scope applies (purpose, intended period, the files
wanted); the providing department answers within 10 working days (workdays.py), approving
(optionally with conditions and an end date) or refusing with a reason from reasons.yaml and
its own words. An approved applicant gets the entry's files and DataStore rows, only those
applied for and only until the end date, through the one auth function that decides data
access (logic/auth.py lngov_data_access, asked by downloads.py and the DataStore's auth
functions); nobody else gets anything more.

- store.py: the table lngov_application (migration a1c0de000004), its reads and writes, the
  grant check
- schema.py: the actions' input as navl schemas
- actions.py: the actions lngov_application_* and lngov_service_clock; auth.py: their auth
  functions. Each state change is an activity of the entry that only the department and the
  applicant see (permission labels), so nobody else learns who applied
- reasons.py: the refusal reasons (reasons.yaml), which data requests decline with too
- notify.py: e-mails on every state change, to the applicant and the department; expiry.py:
  the scheduled mails (ended approvals, near-due reminders)
- clock.py: the public service clock of each department
- views.py: the pages
"""
