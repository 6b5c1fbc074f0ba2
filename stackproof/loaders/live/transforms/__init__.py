"""Pure functions: one service's collected responses -> model resources.

No boto3 here: a snapshot is re-evaluated offline with these alone. Every resource is
keyed by its ARN, and references between resources hold the ARN of the target, built
from the ids the responses give, so that accounts and regions never collide.
"""
