"""The reference stack: one spec, rendered to CloudFormation and applied with boto3.

spec.py       the stack as dataclasses (StackSpec), with its parameters
blueprint.py  StackSpec -> every resource as CloudFormation types and properties
render.py     blueprint -> CloudFormation templates, one per region and step
applier.py    blueprint -> plan / apply / destroy with boto3, found again by tags
handlers/     one module per AWS service: find, create, update, delete one resource
"""
