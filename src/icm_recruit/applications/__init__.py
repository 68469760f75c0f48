"""Applicant dossiers: the application form, documents, referees, submission, screening."""
