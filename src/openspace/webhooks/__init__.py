"""
Webhooks: every committed change of a board, POSTed to the URLs its facilitators
registered, signed, in order, from the last sequence number each receiver acknowledged.

- L{openspace.webhooks.signing}: secrets and the signature recipe (pure).
- L{openspace.webhooks.payload}: what a delivery carries (pure).
- L{openspace.webhooks.storage}: the hooks and their progress in the database.
- L{openspace.webhooks.delivery}: one hook's deliveries over treq.
- L{openspace.webhooks.dispatcher}: a delivery per hook, following the boards' commits.
- L{openspace.webhooks.registry}: what the API and the desk do with hooks.
"""
