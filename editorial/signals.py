from django.dispatch import Signal

# Sent after the transaction that changed an issue's state has committed, so that receivers (publishing
# enqueues renders, emails are sent) never act on a state that was rolled back.
# Arguments: issue_id, transition, from_state, to_state, actor_id.
issue_transitioned = Signal()
