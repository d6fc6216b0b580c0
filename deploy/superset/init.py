"""Superset's metadata database, in one process (each `superset` CLI call costs ~4 s of
start-up): migrate (`superset db upgrade`), sync roles and permissions (`superset init`),
and create or reset the admin with the password read from a file (never argv).

Run with the Superset virtualenv's python and SUPERSET_CONFIG_PATH set:
  init.py ADMIN_PASSWORD_FILE   first start of a server (idempotent)
  init.py --template            only migrate and sync (scripts/setup.sh builds a template
                                metadata file once, so a first start copies it instead
                                of running ~300 migrations)
"""

import sys
from pathlib import Path

import superset
from flask_migrate import upgrade
from superset.app import create_app

app = create_app()
with app.app_context():
    from superset.extensions import appbuilder, db, security_manager

    upgrade(directory=str(Path(superset.__file__).parent / "migrations"))
    appbuilder.add_permissions(update_perms=True)
    security_manager.sync_role_definitions()
    db.session.commit()
    if sys.argv[1] != "--template":
        password = Path(sys.argv[1]).read_text().strip()
        admin = security_manager.find_user(username="admin")
        if admin is None:
            security_manager.add_user("admin", "Admin", "Monev", "admin@monev.local",
                                      security_manager.find_role("Admin"), password=password)
        else:
            security_manager.reset_password(admin.id, password)
        db.session.commit()
print("superset: metadata ready")
