"""Tell staff about condolence prompts: by email (SMTP) and a Slack-compatible webhook.

The schedule is data: a prompt's ``next_reminder_at`` says when it is due to be sent
(at once when it opens), ``reminders_sent`` how many times it already was. A prompt
still unanswered after ``remind_after_minutes`` is sent again; from the
``escalate_after``-th reminder on, admins are addressed too. Sending happens after
the prompt was committed, so a rolled-back prompt never notifies anyone; a failed
send is logged and retried at the next tick.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import httpx
from sqlalchemy import select

from scheduler import audit, clock, condolences
from scheduler.context import Tactful
from scheduler.models import CondolenceDraft, Incident, User

log = logging.getLogger(__name__)

# When every notification channel failed, try again this soon rather than after the
# full reminder interval.
RETRY_FAILED_SEND = timedelta(minutes=1)


@dataclass(frozen=True)
class Notice:
    draft_id: int
    subject: str
    body: str
    link: str
    recipients: tuple[str, ...]
    escalated: bool


def _recipients(users: list[User], escalated: bool) -> tuple[str, ...]:
    """Managers and approvers draft and approve; admins hear of it once escalated."""
    return tuple(
        sorted(
            {u.email for u in users if u.active and u.email and (escalated or u.role != "admin")}
        )
    )


def _notice(app: Tactful, draft: CondolenceDraft, incident: Incident, users: list[User]) -> Notice:
    settings = app.settings.condolences
    escalated = draft.reminders_sent >= 1 + settings.escalate_after
    link = f"{settings.base_url}/condolences/{draft.id}"
    again = "Reminder: " if draft.reminders_sent else ""
    place = condolences.place_name(incident.regions)
    subject = f"{again}Condolence needed? {incident.title[:120]}"
    lines = [
        f"An incident may call for a message from the brand: {incident.title}",
        f"Kind: {incident.kind}, severity {incident.severity}, area: {place}.",
        f"Channel accounts concerned: {', '.join(sorted(draft.texts))}.",
        "",
        "Suggested text (edit it, approve it, or decide to say nothing):",
        *(f"- {name}: {text}" for name, text in sorted(draft.texts.items())),
        "",
        f"Open the draft: {link}",
        "Nothing is published until a person approves it.",
    ]
    if escalated:
        lines.insert(
            0, f"Escalated: nobody has answered since {draft.prompted_at:%Y-%m-%d %H:%M} UTC."
        )
    return Notice(
        draft.id, subject, "\n".join(lines), link, _recipients(users, escalated), escalated
    )


def send_email(app: Tactful, notice: Notice) -> bool:
    cfg = app.settings.notify
    if not cfg.smtp_host or not notice.recipients:
        return False
    message = EmailMessage()
    message["Subject"] = notice.subject
    message["From"] = cfg.smtp_from
    message["To"] = ", ".join(notice.recipients)
    message.set_content(notice.body)
    with smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout) as smtp:
        if cfg.smtp_starttls:
            smtp.starttls()
        user = app.settings.secret(cfg.smtp_user_env) if cfg.smtp_user_env else None
        password = app.settings.secret(cfg.smtp_password_env) if cfg.smtp_password_env else None
        if user and password:
            smtp.login(user, password)
        smtp.send_message(message)
    return True


def send_webhook(app: Tactful, notice: Notice) -> bool:
    cfg = app.settings.notify
    url = app.settings.secret(cfg.slack_webhook_env) if cfg.slack_webhook_env else None
    if not url:
        return False
    text = f"*{notice.subject}*\n{notice.body}"
    response = httpx.post(url, json={"text": text}, timeout=cfg.timeout)
    response.raise_for_status()
    return True


def send_due(app: Tactful) -> int:
    """Send every prompt whose notice is due; returns how many were sent."""
    sent = 0
    now = clock.now()
    with app.db.session() as session:
        due = list(
            session.scalars(
                select(CondolenceDraft)
                .where(
                    CondolenceDraft.status.in_(condolences.OPEN_DRAFT),
                    CondolenceDraft.next_reminder_at <= now,
                )
                .with_for_update(skip_locked=True)
            )
        )
        users = list(session.scalars(select(User).where(User.active.is_(True))))
        for draft in due:
            incident = session.get(Incident, draft.incident_id)
            if incident is None:
                continue
            notice = _notice(app, draft, incident, users)
            channels: list[str] = []
            failed: list[str] = []
            for name, sender in (("email", send_email), ("webhook", send_webhook)):
                try:
                    if sender(app, notice):
                        channels.append(name)
                except (OSError, smtplib.SMTPException, httpx.HTTPError) as exc:
                    failed.append(name)
                    log.warning("condolence %s: %s notification failed: %s", draft.id, name, exc)
            if failed and not channels:
                draft.next_reminder_at = now + RETRY_FAILED_SEND
                continue
            draft.reminders_sent += 1
            draft.next_reminder_at = now + timedelta(
                minutes=app.settings.condolences.remind_after_minutes
            )
            audit.record(
                session,
                audit.SYSTEM,
                "condolence.escalated"
                if notice.escalated
                else ("condolence.reminded" if draft.reminders_sent > 1 else "condolence.notified"),
                "condolence",
                draft.id,
                ", ".join(channels) or "no notification channel configured",
                {"recipients": list(notice.recipients)},
            )
            sent += 1
        condolences.mark_published(session)
    return sent
