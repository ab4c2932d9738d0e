"""Intent recognition for the offline planner: which kind of request a message is.

Rules are checked from the most specific to the least, and on the masked text (identifiers
removed), so names never trigger keywords. Anything that would change infrastructure must be
phrased as a request to act: a question about a change ("how do I close port 22?", "should we
block public access?") is a knowledge question, never a remediation. Read-only tools whose
requests can be recognised on their own are recognised by their row in routes.py, at one point of
this ordering (see classify).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agent.planner.commands import REQUEST
from agent.planner.extract import Extraction
from agent.planner.kinds import Intent as Intent
from agent.planner.routes import ROUTES, Route

_F = re.IGNORECASE


GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|howdy|yo|greetings|good\s+(?:morning|afternoon|evening|day))\b"
    r"(?:\s*(?:there|all|team|folks|everyone|cloudpilot|bot))?[\s,!.]*",
    _F,
)
_THANKS = re.compile(
    r"^\s*(?:thanks?(?:\s+you)?|thank\s+you(?:\s+(?:very|so)\s+much)?|thx|ty|cheers|great|perfect|awesome"
    r"|nice|cool|ok(?:ay)?|got\s+it|understood)(?:[\s,!.]+(?:thanks?|cheers|a lot|much))*[\s!.]*$",
    _F,
)
_HELP = re.compile(
    r"^\s*(?:help|\?|commands|usage|menu|capabilities)[\s!?.]*$"
    r"|\bwhat\s+(?:can|do|else\s+can)\s+you\s+do\b|\bwhat\s+are\s+you\b|\bwho\s+are\s+you\b"
    r"|\bhow\s+do\s+i\s+use\s+you\b|\bwhat\s+can\s+i\s+ask\b|\bwhat\s+(?:tools|commands|capabilities)\b"
    r"|\bshow\s+(?:me\s+)?(?:the\s+)?help\b|\bhow\s+does\s+this\s+work\b",
    _F,
)

# A request addressed to the bot: start of the message, after "please", "can you", "let's" ...
_ASK = (
    r"(?:^|[.;!?]\s*|\b(?:please|pls|kindly|then|now|also|and)\s+|\b(?:can|could|would|will)\s+you\s+(?:please\s+)?"
    r"|\bgo\s+ahead\s+and\s+|\bi(?:'d|\s+would)?\s+(?:want|need|like)\s+(?:you\s+)?to\s+|\blet'?s\s+"
    r"|\byes,?\s+(?:please\s+)?|\bok(?:ay)?,?\s+)"
)
_NEGATED = re.compile(
    r"\b(?:don'?t|do\s+not|never|no\s+need\s+to)\s+(?:\w+\s+)?"
    r"(?:close|revoke|remove|delete|drop|block|fix|remediate|change|touch|make|modify|apply|restrict)\b",
    _F,
)
_FIX = re.compile(_ASK + r"\s*(?:fix|remediate|resolve|repair|sort\s+out|address|patch|clean\s+up)\b", _F)
_BLOCK_PUBLIC = re.compile(
    _ASK + r"\s*(?:(?:block|disable|remove|revoke|turn\s+off|restrict|shut\s+off)\s+(?:all\s+)?(?:the\s+)?"
    r"public\s+access"
    r"|(?:enable|turn\s+on|apply|set)\s+(?:the\s+)?(?:s3\s+)?block[\s-]public[\s-]access"
    r"|make\s+.{0,60}?\bprivate\b|lock\s+down\s+.{0,40}?⟨(?:name|bucket)⟩)",
    _F,
)
_REVOKE = re.compile(
    _ASK + r"\s*(?:close|revoke|remove|delete|drop|disable|restrict|shut(?:\s+down)?|lock\s+down|block)\b", _F
)
_REVOKE_OBJECT = re.compile(r"\b(?:ports?|ingress|inbound|rules?|ssh|rdp|access)\b|⟨id⟩|⟨cidr⟩", _F)
# Every other remediation action asked for directly ("stop instance i-0123…"): commands.py's table.
_DIRECT = re.compile(_ASK + r"\s*(?:" + REQUEST + ")", _F)
_DIRECT_NEGATED = re.compile(
    _ASK + r"\s*(?:don'?t|do\s+not|never|no\s+need\s+to)\s+(?:please\s+)?(?:" + REQUEST + ")", _F
)

_HOW_TO = re.compile(
    r"^\s*(?:how\s+(?:do|can|should|would|could)\s+(?:i|we|one|you)|how\s+to|what(?:'s|\s+is|\s+are)\s+the\s+"
    r"(?:process|procedure|steps|runbook|playbook|policy|best\s+practices?|way)"
    r"|what\s+should\s+(?:i|we)\s+do|where\s+(?:is|are|can\s+i\s+find)\s+(?:the|our)\s+(?:docs?|runbook|playbook)"
    r"|(?:can|should|may|must)\s+(?:i|we)\b|is\s+it\s+(?:safe|ok(?:ay)?|possible)\s+to|why\s+(?:should|do)\s+we)",
    _F,
)
# "how can I see our EC2 costs?" asks for data, not for a document.
_HOW_TO_LOOK = re.compile(
    r"^\s*how\s+(?:do|can)\s+(?:i|we)\s+(?:see|get|view|check|find|list|show|look\s+up)\b", _F
)
_KNOWLEDGE = re.compile(
    r"\b(?:runbooks?|playbooks?|procedures?|documentation|docs|wiki|guides?|guidelines?|best\s+practices?"
    r"|on-?call|escalat\w*|incident\s+response|post-?mortems?|sop|checklist|standards?)\b",
    _F,
)
_KNOWLEDGE_WEAK = re.compile(
    r"^\s*(?:what\s+(?:is|are|does)|what's|explain|why|tell\s+me\s+about|describe\s+how|define)\b", _F
)
_FINDINGS = re.compile(
    r"\bfindings?\b|\bscan\s+results?\b|\bwhat\s+did\s+the\s+(?:last\s+)?scan\s+find\b"
    r"|\bsecurity\s+alerts?\b",
    _F,
)
_SCAN = re.compile(
    r"\b(?:scan|rescan|audit|security|secure|insecure|public(?:ly)?|exposed?|exposures?|world[\s-]open"
    r"|open\s+to\s+(?:the\s+)?(?:world|internet|public|everyone)|open\s+ports?|ports?\s+\d+\s+open"
    r"|misconfig\w*|vulnerab\w*|complian\w*|unencrypted|not\s+encrypted|encryption|mfa|risks?|risky"
    r"|root\s+account|password\s+policy|enabled|disabled|enforced"
    r"|(?:security\s+)?(?:issues|problems)|anything\s+wrong|check\s+(?:for|our|my|the))\b",
    _F,
)
_COST = re.compile(
    r"\b(?:costs?|costing|spend(?:ing)?|spent|bills?|billing|billed|charges?|charged|how\s+much|expensive"
    r"|pricey|budget|invoices?|dollars|finops|break\s?downs?|broken\s+down|cheaper|saving|savings)\b|\$",
    _F,
)
_INVENTORY = re.compile(
    r"\b(?:list|show|display|describe|enumerate|inventory|find|look\s+up|lookup|details?|info|get|tell\s+me"
    r"|how\s+many|count)\b",
    _F,
)
_INVENTORY_WEAK = re.compile(r"\b(?:do\s+we\s+(?:have|run|use)|are\s+there|which|what)\b", _F)
_DEFINITION = re.compile(
    r"^\s*(?:what(?:'s|\s+is|\s+are)\s+(?:a|an)\b|define\b|what\s+does\b.*\bmean\b"
    r"|what(?:'s|\s+is)\s+the\s+difference\b)",
    _F,
)


# Cost intelligence: spikes, forecasts and savings. Checked before plain cost questions, whose
# words ("spend", "cost") they share.
_ANOMALY_STRONG = re.compile(r"\b(?:spikes?|spiked|spiking|anomal\w*|surges?|surged)\b", _F)
_ANOMALY_WEAK = re.compile(
    r"\b(?:unusual|unexpected(?:ly)?|jump(?:ed|s)?|sudden(?:ly)?|weird|strange|shot\s+up|went\s+up"
    r"|out\s+of\s+the\s+ordinary|blew\s+up|explod\w*)\b",
    _F,
)
_FORECAST = re.compile(
    r"\b(?:forecast\w*|projected|projections?|predict\w*|run[\s-]rate|on\s+track"
    r"|will\s+(?:we|i|it|our|the)\s+(?:\w+\s+){0,2}(?:spend|cost|pay|be)|going\s+to\s+(?:spend|cost|pay)"
    r"|expect(?:ed)?\s+to\s+(?:spend|cost|pay)|end\s+of\s+(?:the\s+)?month|month[\s-]end)\b",
    _F,
)
_SAVINGS = re.compile(
    r"\b(?:save\s+(?:some\s+)?(?:money|costs?|cash)|savings?\s+(?:opportunit\w*|ideas?|potential)"
    r"|where\s+(?:can|could)\s+(?:we|i)\s+save|cut\s+(?:our\s+|the\s+)?(?:costs?|spend\w*|bill)"
    r"|reduce\s+(?:our\s+|the\s+)?(?:\w+\s+)?(?:costs?|spend\w*|bill)|lower\s+(?:our\s+|the\s+)?(?:costs?|bill)"
    r"|wast(?:e|ed|ing|eful)|idle\s+(?:\S+\s+)?(?:instances?|resources?|servers?|machines?|vms?)"
    r"|unused\s+(?:\S+\s+)?(?:resources?|volumes?|ips?|addresses|snapshots?|instances?)|unattached"
    r"|unassociated|orphan(?:ed)?\s+(?:\S+\s+)?(?:volumes?|snapshots?|resources?)|old\s+snapshots?"
    r"|gp2|right-?siz\w*|optimi[sz]\w*\s+(?:our\s+|the\s+)?(?:costs?|spend\w*|bill))\b",
    _F,
)

# "idle EC2 instances" reaches here with the service masked.
_SAVINGS_MASKED = re.compile(r"\b(?:idle|unused|underused)\s+⟨svc⟩", _F)


def cost_intelligence(text: str) -> Intent | None:
    """ANOMALY, FORECAST or SAVINGS when the message asks for one of them."""
    if _DEFINITION.search(text):
        return None
    if _ANOMALY_STRONG.search(text) or (_ANOMALY_WEAK.search(text) and _COST.search(text)):
        return Intent.ANOMALY
    if _FORECAST.search(text):
        return Intent.FORECAST
    if _SAVINGS.search(text) or _SAVINGS_MASKED.search(text):
        return Intent.SAVINGS
    return None


# Suppressing a finding, or lifting a suppression. A question about it is not a request.
_SUPPRESS = re.compile(
    r"\b(?:suppress|mute|snooze|silence|risk[\s-]accept|accept\s+(?:the\s+)?risk\s+(?:of|for|on))\b", _F
)
_UNSUPPRESS = re.compile(
    r"\b(?:un-?suppress|un-?mute|un-?snooze|un-?silence)\b"
    r"|\b(?:lift|remove|end|cancel|revoke|drop|undo)\s+(?:the\s+|its\s+|that\s+)?(?:suppression|mute|snooze)\b"
    r"|\bstop\s+(?:suppressing|muting|snoozing)\b",
    _F,
)
_SUPPRESS_NEGATED = re.compile(
    r"\b(?:don'?t|do\s+not|never)\s+(?:\w+\s+)?(?:suppress|mute|snooze|silence)\b", _F
)


def security_request(text: str) -> Intent | None:
    """UNSUPPRESS, SUPPRESS or DECLINE when the message asks to (not) suppress a finding."""
    if _UNSUPPRESS.search(text) and not is_how_to(text):
        return Intent.UNSUPPRESS
    if _SUPPRESS.search(text) and not is_how_to(text):
        return Intent.DECLINE if _SUPPRESS_NEGATED.search(text) else Intent.SUPPRESS
    return None


# Infrastructure as code: a request to write Terraform, CloudFormation or Kubernetes manifests.
# Matched on the original text (the masked text hides "k8s", "S3" ... as services).
_IAC_FORMAT = re.compile(r"\b(?:terraform|opentofu|cloud\s?formation|cfn|hcl)\b", _F)
_IAC_K8S = re.compile(r"\b(?:kubernetes|k8s)\b", _F)
_IAC_WORDS = re.compile(r"\b(?:iac|infrastructure[\s-]as[\s-]code)\b", _F)
_IAC_VERB = re.compile(
    r"\b(?:write|writing|generate|create|make|give\s+me|scaffold|draft|produce|build|need|want|template"
    r"|define|provision|set\s+up|spin\s+up|deploy|code\s+for|snippet|example|show\s+me)\b",
    _F,
)
_IAC_FORMAT_FOR = re.compile(
    r"\b(?:terraform|opentofu|cloud\s?formation|cfn|hcl|kubernetes|k8s)\s+(?:code\s+|templates?\s+|manifests?\s+"
    r"|modules?\s+|config(?:uration)?\s+|yaml\s+|stack\s+|files?\s+)?(?:for|to\s+(?:create|deploy|provision|run))\b",
    _F,
)
_IAC_K8S_OBJECT = re.compile(
    r"\b(?:deployments?|cron\s?jobs?|ingress(?:es)?|stateful\s?sets?|daemon\s?sets?|hpa|autoscal\w+"
    r"|config\s?maps?|network\s?polic(?:y|ies)|pod\s+disruption\s+budgets?|namespaces?|jobs?|services?"
    r"|manifests?)\b",
    _F,
)
_IAC_EXISTING = re.compile(
    r"\b(?:list|describe|how\s+many|which|status|running|existing|current|our|we\s+have)\b", _F
)
_IAC_CREATE = re.compile(
    r"^\s*(?:please\s+)?(?:create|provision|set\s+up|spin\s+up|write|generate|give\s+me)\s+(?:me\s+)?"
    r"(?:an?|the|some)\s+(?:new\s+)?(?:\w+\s+){0,3}(?:s3\s+bucket|bucket|vpc|sqs\s+queue|queue|rds|postgres\w*"
    r"|database|dynamodb\s+table|lambda|ecs\s+service|security\s+group|iam\s+role|kms\s+key|alarm|log\s+group"
    r"|secret|sns\s+topic|ecr\s+repo\w*|ec2\s+instance|ebs\s+volume)\b",
    _F,
)


def is_iac_request(original: str) -> bool:
    """Whether the message asks for infrastructure code (not for a change to live resources)."""
    text = original.lower()
    if _IAC_FORMAT_FOR.search(text) or _IAC_WORDS.search(text) or _IAC_CREATE.search(text):
        return True
    if (_IAC_FORMAT.search(text) or _IAC_K8S.search(text)) and _IAC_VERB.search(text):
        return True
    return bool(_IAC_K8S.search(text) and _IAC_K8S_OBJECT.search(text) and not _IAC_EXISTING.search(text))


@dataclass(frozen=True)
class Classification:
    intent: Intent
    # False when only weak hints decided it ("what about S3?"), so a follow-up may override it.
    explicit: bool = True
    # The tool when a route row's own `asks` recognised the message.
    tool: str | None = None


def strip_greeting(text: str) -> str:
    """The message without a leading "hi"/"hello", which says nothing about the request."""
    return GREETING.sub("", text, count=1).strip()


def is_how_to(text: str) -> bool:
    return bool(_HOW_TO.search(text)) and not _HOW_TO_LOOK.search(text)


def detect_change(masked: str) -> Intent | None:
    """FIX, REMEDIATE or DECLINE when the message is a request to change something."""
    if is_how_to(masked):
        return None
    if _NEGATED.search(masked) or _DIRECT_NEGATED.search(masked):
        return Intent.DECLINE
    rules = (
        (_FIX, Intent.FIX),
        (_BLOCK_PUBLIC, Intent.REMEDIATE),
        (_REVOKE, Intent.REMEDIATE),
        (_DIRECT, Intent.REMEDIATE),
    )
    for pattern, intent in rules:
        m = pattern.search(masked)
        if m is None:
            continue
        if pattern is _REVOKE and not _REVOKE_OBJECT.search(masked, m.end()):
            continue
        return intent
    return None


def block_public_requested(masked: str) -> bool:
    """Whether a change request is about a bucket's public access rather than ingress rules."""
    return _BLOCK_PUBLIC.search(masked) is not None


def revoke_requested(masked: str) -> bool:
    """Whether a change request uses the wording of closing ingress ("close port 22 on …")."""
    m = _REVOKE.search(masked)
    return m is not None and _REVOKE_OBJECT.search(masked, m.end()) is not None


def classify(ex: Extraction, routes: Sequence[Route] = ROUTES) -> Classification:
    """The intent of a message whose greeting (if any) was already stripped."""
    text = ex.lower.strip()
    if not text:
        return Classification(Intent.GREETING)
    if _THANKS.match(text):
        return Classification(Intent.THANKS)
    if _HELP.search(text):
        return Classification(Intent.HELP)
    if is_iac_request(ex.original):
        return Classification(Intent.IAC)
    change = detect_change(text)
    if change is not None:
        return Classification(change)
    wanted = cost_intelligence(text)
    if wanted is not None:
        return Classification(wanted)
    security = security_request(text)
    if security is not None:
        return Classification(security)
    # Rows that recognise their own requests: after every request to change something (so
    # "suppress the CIS score finding" stays a suppression), before the generic fallbacks below,
    # whose broad words ("what", "scan", "cost", "list") would otherwise take them.
    for route in routes:
        if route.asks is not None and route.asks(ex):
            return Classification(route.intent or Intent.ROUTE, tool=route.tool)
    if is_how_to(text) or _KNOWLEDGE.search(text) or _DEFINITION.search(text):
        return Classification(Intent.KNOWLEDGE)
    if _FINDINGS.search(text):
        return Classification(Intent.FINDINGS)
    if _COST.search(text):
        return Classification(Intent.COST)
    if _SCAN.search(text):
        return Classification(Intent.SCAN)
    has_target = bool(ex.resources or any(s.resource_type for s in ex.services))
    if ex.group_by and ex.period and not has_target:
        return Classification(Intent.COST)
    if ex.compare_to and not ex.resources:
        # "compare september to august", "month over month by service": only costs compare periods.
        return Classification(Intent.COST)
    if (has_target or ex.services or ex.service_terms or ex.providers) and _INVENTORY.search(text):
        return Classification(Intent.INVENTORY)
    if _KNOWLEDGE_WEAK.search(text) and not ex.has_arguments():
        return Classification(Intent.KNOWLEDGE)
    if has_target and (_INVENTORY_WEAK.search(text) or _only_arguments(text)):
        return Classification(Intent.INVENTORY, explicit=False)
    if _KNOWLEDGE_WEAK.search(text):
        return Classification(Intent.KNOWLEDGE, explicit=False)
    if _QUESTION.search(text) and len(text.split()) >= 3:
        # A real question no tool covers: the knowledge base answers it or says it has no source,
        # rather than a guess.
        return Classification(Intent.KNOWLEDGE, explicit=False)
    return Classification(Intent.UNKNOWN, explicit=False)


_QUESTION = re.compile(
    r"^(?!what about\b|how about\b)(who|what|when|where|why|which|how|is|are|does|do|did|can|could|should)\b"
)


def _only_arguments(text: str) -> bool:
    """The message is nothing but names, ids and filler ("sg-0123abcd?", "buckets in Ireland")."""
    rest = re.sub(r"⟨\w+⟩|\b(?:in|on|for|the|our|my|all|and|please|of|any)\b|[\s?!.,]", "", text)
    return rest == ""


_FOLLOW_UP = re.compile(
    r"^\s*(?:and|what\s+about|how\s+about|same\s+(?:for|but|in|with|thing)|now\s+(?:for|in|with|show)"
    r"|also|ok(?:ay)?,?\s+(?:and|what\s+about|now)|then|instead|compare\s+with|vs\.?|versus|only|just)\b",
    _F,
)


def is_follow_up(ex: Extraction) -> bool:
    """Whether the message refines the previous request rather than starting a new one."""
    text = ex.lower.strip()
    if _FOLLOW_UP.search(text):
        return True
    # A few words that only set arguments: "by service", "S3 in Ireland?"
    return ex.has_arguments() and (_only_arguments(text) or len(text.split()) <= 4)
