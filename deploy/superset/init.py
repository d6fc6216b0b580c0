"""First start of Superset's metadata database, in one process (each `superset` CLI call
costs ~4 s of start-up): migrate (`superset db upgrade`), sync roles and permissions
(`superset init`), create the admin with the password read from a file (never argv).

Run with the Superset virtualenv's python and SUPERSET_CONFIG_PATH set; argv[1] is the
admin password file. Idempotent: a second run migrates nothing and keeps the admin.
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
    password = Path(sys.argv[1]).read_text().strip()
    admin = security_manager.find_user(username="admin")
    if admin is None:
        security_manager.add_user("admin", "Admin", "Monev", "admin@monev.local",
                                  security_manager.find_role("Admin"), password=password)
    else:
        security_manager.reset_password(admin.id, password)
    db.session.commit()
print("superset: metadata ready")
