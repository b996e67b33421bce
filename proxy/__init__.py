"""smsvoice-sim's doors, modes, cassettes, matching, redaction, CLI and pytest plugin.

Imports point one way: this package uses `simulator`; `simulator` never imports it.
"""
