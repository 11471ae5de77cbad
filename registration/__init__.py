"""Registration and moderation: the short form groups fill in, the queue its answers wait
in, what the directory team does with them, and the emails that tell the group.

Nothing a member of the public sends is published until a person approves it with
``healthdir approve``; the queue lives outside ``content/`` so a build never sees it.
"""
