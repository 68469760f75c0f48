"""The built wheel carries templates, migrations, static files and catalogs, and runs."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_and_finds_templates(tmp_path):
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(tmp_path / "dist")], cwd=ROOT, check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("icm_recruit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ["icm_recruit/templates/base.html", "icm_recruit/templates/mail/_layout.html",
                     "icm_recruit/migrations/env.py",
                     "icm_recruit/static/vendor/bootstrap.min.css",
                     "icm_recruit/static/vendor/htmx.min.js",
                     "icm_recruit/translations/fr/LC_MESSAGES/messages.mo"]:
        assert expected in names, expected
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    script = (
        "import icm_recruit, pathlib;"
        "app = icm_recruit.create_app();"
        "import os;"
        "assert pathlib.Path(icm_recruit.__file__).is_relative_to(os.environ['PYTHONPATH']);"
        "print(app.template_folder);"
        "print(app.test_client().get('/login', headers={'Accept-Language': 'fr'}).status_code)"
    )
    env = {**os.environ, "PYTHONPATH": str(target), "ICM_DEMO": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}"}
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out[0].startswith(str(target)) and out[0].endswith("icm_recruit/templates")
    assert out[1] == "200"


def test_compose_file_wires_every_service():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "mail"} <= set(services)
    web, worker, beat = services["web"], services["worker"], services["beat"]
    assert "gunicorn" in " ".join(web["command"]) and "icm_recruit.wsgi:app" in web["command"]
    assert "worker" in worker["command"] and "icm_recruit.worker" in worker["command"]
    assert "beat" in beat["command"] and "icm_recruit.worker" in beat["command"]
    for app_service in (web, worker, beat):
        env = app_service["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        assert env["MAIL_SERVER"] == "mail"
        assert str(env["MAIL_PORT"]) == str(services["mail"]["expose"][0]).split("/")[0] or \
            str(env["MAIL_PORT"]) == "1025"
        assert env["SECRET_KEY"].startswith("${SECRET_KEY")  # supplied from outside, not here
        assert {"postgres", "redis"} <= set(app_service["depends_on"])
    assert services["postgres"]["healthcheck"] and services["redis"]["healthcheck"]
    assert "migrate" in services or "db upgrade" in " ".join(web["command"]) or any(
        "db upgrade" in str(s.get("command", "")) for s in services.values())
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile and "USER" in dockerfile
    assert '"icm_recruit.wsgi:app"]' in dockerfile


def test_wsgi_entry_point_builds_the_app_and_freezes_what_it_built(tmp_path):
    script = ("import gc\n"
              "from icm_recruit.wsgi import app\n"
              "print(type(app).__name__, gc.get_freeze_count() > 10000)\n"
              "print(app.test_client().get('/login').status_code)\n")
    env = {**os.environ, "ICM_DEMO": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}"}
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out == ["Flask", "True", "200"]
