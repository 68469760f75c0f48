"""Command-line interface: flask --app icm_recruit <command>."""

import secrets
import sys
import time

import click
from flask import Flask

from icm_recruit.extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(outbox_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(retention_group)
    app.cli.add_command(documents_group)


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="HR administrator", show_default=True)
@click.option("--password", envvar="ICM_ADMIN_PASSWORD", default=None,
              help="Password to set; a random one is generated and printed if omitted.")
def create_admin_command(email: str, name: str, password: str | None) -> None:
    """Create an administrator account (or give the admin role to an existing one)."""
    from icm_recruit.auth.operations import create_admin

    generated = password is None
    password = password or secrets.token_urlsafe(12)
    user = create_admin(email, name, password)
    db.session.commit()
    click.echo(f"Administrator {user.email} is ready.")
    if generated:
        click.echo(f"Password: {password}")


@click.command("seed-demo")
@click.option("--applications", type=int, default=None, help="Generate this many applications.")
@click.option("--reviewers", type=int, default=None, help="Generate this many board members.")
def seed_demo_command(applications: int | None, reviewers: int | None) -> None:
    """Create demo accounts (idempotent) and print their sign-in details."""
    from icm_recruit.seed import seed_demo

    for line in seed_demo(applications=applications, reviewers=reviewers):
        click.echo(line)
    if applications or reviewers:
        from icm_recruit.scale_seed import seed_large

        started = time.perf_counter()
        for line in seed_large(applications or 100, reviewers or 20):
            click.echo(line)
        click.echo(f"seeded in {time.perf_counter() - started:.1f} s")


@click.group("outbox")
def outbox_group() -> None:
    """The mail outbox."""


@outbox_group.command("deliver")
@click.option("--limit", type=int, default=1000, show_default=True)
def outbox_deliver(limit: int) -> None:
    """Deliver every pending message now."""
    from icm_recruit.core.outbox import deliver_due

    counts = deliver_due(limit)
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing pending")


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain; exit 1 and name the first broken link if it was altered."""
    from icm_recruit.core.audit import verify_chain

    ok, count, event, reason = verify_chain()
    if ok:
        click.echo(f"audit chain intact: {count} events")
        return
    when = event.at.strftime("%Y-%m-%d %H:%M:%S")
    click.echo(f"audit chain BROKEN at event {event.id} ({event.action}, {when}): {reason}",
               err=True)
    sys.exit(1)


@click.group("retention")
def retention_group() -> None:
    """Personal data retention."""


@retention_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Show what would be deleted, change nothing.")
def retention_purge(dry_run: bool) -> None:
    """Anonymise the data of calls whose retention period is over."""
    from icm_recruit.governance.retention import purge

    report = purge(dry_run=dry_run)
    if not dry_run:
        db.session.commit()
    if report.get("mail_bodies"):
        verb = "would empty" if dry_run else "emptied"
        click.echo(f"{verb} the text of {report['mail_bodies']} mails sent long ago")
    if not report["calls"] and not report.get("mail_bodies"):
        click.echo("nothing is due")
    for entry in report["calls"]:
        verb = "would purge" if dry_run else "purged"
        click.echo(f"{verb} {entry['call']}: {entry['applications']} applications, "
                   f"{entry['documents']} documents (due since {entry['purge_after'][:10]})")


@click.group("documents")
def documents_group() -> None:
    """Stored documents."""


@documents_group.command("clean")
@click.option("--dry-run", is_flag=True, help="Count what would be cleaned, change nothing.")
def documents_clean(dry_run: bool) -> None:
    """Strip active content (scripts, embedded files) from documents stored earlier."""
    from icm_recruit.applications.maintenance import clean_stored_documents

    report = clean_stored_documents(dry_run=dry_run)
    verb = "would clean" if dry_run else "cleaned"
    click.echo(f"checked {report['checked']} documents, {verb} {report['cleaned']}; "
               f"{report['unreadable']} unreadable, {report['missing']} missing in storage")
