"""Infrastructure-as-code generation: a catalogue of secure-by-default templates, an optional
LLM writer, and the checks every piece of code passes before anyone sees it.

Nothing leaves this package unparsed: Terraform is parsed with python-hcl2, CloudFormation is
linted with cfn-lint, Kubernetes manifests are validated against the API's JSON schemas, and
the AWS resources in the code are judged by the same security rules as live resources.
"""
