"""Resources declared in code, as the normalised `Resource`s the security rules evaluate.

The live collectors (tools/inventory/collectors) document each type's attributes; these
mappers fill the same attributes from Terraform and CloudFormation, using the provider's
default where the code leaves an argument out, so one rule definition judges both.
"""
