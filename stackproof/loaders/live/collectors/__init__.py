"""One module per service: the boto3 calls, nothing else.

Each module declares CALLS (every operation it may make, "service:Operation"; the IAM
policy is generated from these), GLOBAL (collected once per account rather than per
region) and collect(api) -> a JSON-ready dict that its transform reads. A failing
listing call fails the whole unit (it becomes an inventory Gap); a failing
per-resource call is recorded in place of its response and becomes an Unknown.
"""
