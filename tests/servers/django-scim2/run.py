#!/usr/bin/env python
"""Starts django-scim2 for scimspec's tests on a fresh sqlite file.

Usage: python run.py [--port N] [--token T] [--db FILE]
(or SCIM_PORT / SCIM_TOKEN / SCIM_DB in the environment). Base URL: http://127.0.0.1:PORT/scim/v2

The database file is created (migrated) anew at each start; without --db it lives in a new
temporary directory. The process then becomes Django's single-threaded development server, so
whoever started it stops the server itself with one signal. Single-threaded because sqlite locks
under parallel writes.
"""
import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", default=os.environ.get("SCIM_PORT"))
    parser.add_argument("--token", default=os.environ.get("SCIM_TOKEN"))
    parser.add_argument("--db", default=os.environ.get("SCIM_DB"))
    args = parser.parse_args()
    if not args.port or not args.port.isdigit() or not 0 < int(args.port) < 65536:
        parser.error("--port N (or SCIM_PORT) is required")
    if not args.token:
        parser.error("--token T (or SCIM_TOKEN) is required")
    db = args.db or os.path.join(tempfile.mkdtemp(prefix="django-scim2-"), "db.sqlite3")
    if os.path.exists(db):
        os.remove(db)

    os.environ.update(SCIM_PORT=args.port, SCIM_TOKEN=args.token, SCIM_DB=db)
    os.environ["DJANGO_SETTINGS_MODULE"] = "scimproject.settings"
    sys.path.insert(0, HERE)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)

    # exec, not a child: a kill of this pid stops the server itself.
    manage = os.path.join(HERE, "manage.py")
    address = f"127.0.0.1:{args.port}"
    os.execv(sys.executable, [sys.executable, manage, "runserver", address, "--noreload", "--nothreading"])


if __name__ == "__main__":
    main()
