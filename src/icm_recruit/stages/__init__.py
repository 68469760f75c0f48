"""Calls in stages: HR defines them, the board's marks send applicants on or stop them."""
