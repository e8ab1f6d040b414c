"""Dialogs more than one feature opens: code, personal handwriting set, what the models learned."""
