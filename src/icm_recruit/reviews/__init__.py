"""Reviewing: board members score, report and discuss; reminders keep the call on time."""
