"""stackproof: one catalogue of policy checks for Terraform plans, CloudFormation and live AWS accounts."""

__version__ = "0.1.0"
