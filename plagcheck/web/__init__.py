"""The web cabinet: accounts, departments, batch upload, jobs, reports, certificates, summaries.

A Django app configured in code (:mod:`plagcheck.web.conf`), thin over the same library, database
and queue as the CLI: uploads are queued with :func:`plagcheck.jobs.submit`, the worker checks
them, and the cabinet reads what the worker recorded. Django's own tables (users, sessions,
departments, job links, decisions, the audit log) live in the same database as the corpus and
the queue (a SQLite file or a PostgreSQL database), so one database is backed up and one ``--db``
names everything.
"""
