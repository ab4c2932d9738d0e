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
    r"|\bshow\s+(?:me\s+)?(?:the\s+)?help\b|\bhow\s+does\s+this\s+work\b"
    r"|\bwhat\s+(?:can|could)\s+you\s+help\s+(?:me\s+|us\s+)?with\b|\bhow\s+(?:can|could)\s+you\s+help\b"
    # A question about my own last answer, not about the cloud.
    r"|^\s*(?:what\s+do\s+you\s+mean|what\s+does\s+that\s+mean|huh|come\s+again|i\s+don'?t\s+(?:understand|get\s+it))"
    r"[\s?!.]*$",
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
    r"|(?:enable|turn\s+on|switch\s+on|apply|set|add)\s+(?:the\s+)?(?:s3\s+|⟨svc⟩\s+)?block[\s-]public[\s-]access"
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
    r"^\s*(?:how\s+(?:do|can|should|would|could)\s+(?:i|we|one|you)|how\s+to|what(?:'?s|\s+is|\s+are)\s+(?:the|our)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:process(?:es)?|procedures?|steps|runbooks?|playbooks?|polic(?:y|ies)|best\s+practices?|way"
    r"|rules|guidelines?|sla|slo|approval|sign[\s-]?off)\b"
    r"|what\s+should\s+(?:i|we)\s+do|where\s+(?:is|are|can\s+i\s+find)\s+(?:the|our)\s+(?:docs?|runbook|playbook)"
    r"|(?:can|should|may|must)\s+(?:i|we)\b|is\s+it\s+(?:safe|ok(?:ay)?|possible)\s+to|why\s+(?:should|do)\s+we"
    # "steps for a leaked access key", "procedure when a disk fills up"
    r"|(?:steps|procedure|process|runbook|playbook|checklist|guide|instructions)\s+(?:for|to|on|when|if)\b"
    # Who decides, approves or answers: people and process, written down in the docs.
    r"|who\s+(?:approves|signs?\s+off|owns(?!\s+(?:the\s+)?⟨)|is\s+(?:responsible|accountable|on[\s-]?call)|decides|handles"
    r"|(?:can|must|should|needs?\s+to|has\s+to)\s+(?:approve|sign)|do\s+(?:i|we)\s+(?:ask|contact|call|page|tell)"
    r"|should\s+(?:i|we)\s+(?:ask|contact|call|page|tell)))"
    # "kafka consumer lag is high, what do I do?"
    r"|\bwhat\s+(?:do|should|can|must)\s+(?:i|we)\s+do\b|\bhow\s+(?:do|should|can)\s+(?:i|we)\s+"
    r"(?:fix|handle|deal\s+with|troubleshoot|debug|resolve|recover|respond)\b",
    _F,
)
# "how can I see our EC2 costs?" asks for data, not for a document.
_HOW_TO_LOOK = re.compile(
    r"^\s*how\s+(?:do|can)\s+(?:i|we)\s+(?:see|get|view|check|find|list|show|look\s+up)\b", _F
)
_KNOWLEDGE = re.compile(
    r"\b(?:runbooks?|playbooks?|procedures?|documentation|docs|wiki|guides?|guidelines?|best\s+practices?"
    r"|on-?call|escalat\w*|incident\s+response|post-?mortems?|sop|checklist|standards?)\b"
    # A written policy ("backup policy?", "data retention policy"), not a resource's policy document.
    r"|(?<!bucket\s)(?<!password\s)(?<!key\s)(?<!trust\s)(?<!resource\s)(?<!⟩\s)\bpolic(?:y|ies)\b"
    # Asking whether something is permitted is a question for the written rules, not a scan.
    r"|\b(?:is|are)\s+(?:that|this|it|we|they)\s+(?:allowed|permitted|ok(?:ay)?|acceptable|compliant)\b"
    r"|\b(?:am\s+i|are\s+we)\s+allowed\s+to\b|\bis\s+it\s+(?:ok(?:ay)?|fine)\s+to\b",
    _F,
)
# A problem described without a question ("kubectl drain just hangs forever"): the runbooks
# are where its fix is written down.
_SYMPTOM = re.compile(
    r"\b(?:hangs?|hanging|hung|stuck|freez\w*|frozen|crash\w*|crashloop\w*|keeps?\s+(?:\w+ing)"
    r"|timing\s+out|times?\s+out|timeouts?|oom\w*|out\s+of\s+(?:memory|disk|space)|disk\s+(?:is\s+)?full"
    r"|lag(?:ging)?|latency|throttl\w*|leak\w*|not\s+(?:working|responding|starting)|won'?t\s+start|fail(?:s|ing|ed)"
    r"|errors?|broken|unreachable|unhealthy|5\d\d\s*s?|degraded|outage|paged|alert\s+fired)\b",
    _F,
)
_KNOWLEDGE_WEAK = re.compile(
    r"^\s*(?:what\s+(?:is|are|does)|what's|explain|why|tell\s+me\s+about|describe\s+how|define)\b", _F
)
_FINDINGS = re.compile(
    r"\bfindings?\b|\bf-[0-9a-f]{16}\b|\bscan\s+results?\b|\bwhat\s+did\s+the\s+(?:last\s+)?scan\s+find\b"
    r"|\bsecurity\s+alerts?\b"
    r"|\b(?:critical|crit|high|medium|med|low)[\s-]+sev(?:erity)?\b|\bsev(?:erity)?\s*[:=]?\s*(?:critical|high|medium|low)\b",
    _F,
)
_SCAN = re.compile(
    r"\b(?:scan|rescan|audit|security|secure|insecure|public(?:(?:al)?ly)?|exposed?|exposures?|world[\s-]open"
    r"|(?:accessible|reachable|readable|writable)\s+(?:from|to|by)\s+(?:the\s+)?(?:internet|outside|world|anyone|everyone)"
    r"|open\s+to\s+(?:the\s+)?(?:world|internet|public|everyone)|open\s+ports?|ports?\s+\d+\s+open"
    r"|misconfig\w*|vulnerab\w*|complian\w*|unencrypted|not\s+encrypted|encryption|mfa|risks?|risky"
    r"|root\s+account|password\s+policy|enabled|disabled|enforced"
    r"|(?:security\s+)?(?:issues|problems)|anything\s+wrong|check\s+(?:for|our|my|the)"
    r"|(?:set\s+up|configured)\s+(?:right|correctly|properly|securely|safely)"
    r"|(?:properly|correctly|securely|safely)\s+(?:set\s+up|configured)|locked\s+down|hardened)\b",
    _F,
)
_COST = re.compile(
    r"\b(?:costs?|costing|spend(?:s|ing)?|spent|bills?|billing|billed|charges?|charged|how\s+much|expensive"
    r"|pric(?:ey|ier|iest)|costl(?:y|ier|iest)|budget|invoices?|dollars|finops|break\s?downs?|broken\s+down|cheaper|saving|savings)\b|\$",
    _F,
)
_INVENTORY = re.compile(
    r"\b(?:list|show|display|describe|enumerate|inventory|find|look\s+up|lookup|details?|info|get|tell\s+me"
    r"|how\s+many|count)\b",
    _F,
)
_INVENTORY_WEAK = re.compile(
    r"\b(?:do\s+we\s+(?:have|run|use)|are\s+there|which|what(?:'?s)?|who\s+(?:owns|created|launched))\b", _F
)
# The whole inventory, no type named: "show everything we have", "what's running in us-east-1".
_INVENTORY_ALL = re.compile(
    r"\binventory\b|\beverything\s+(?:that\s+)?(?:we|i)\s+(?:have|run|own|use|deployed)\b"
    r"|\ball\s+(?:of\s+)?(?:our\s+|my\s+|the\s+)?(?:resources|infra(?:structure)?|assets)\b"
    r"|\bwhat(?:'?s|\s+is|\s+do\s+we\s+have|\s+have\s+we\s+got)\s+(?:running|deployed|provisioned)\b",
    _F,
)
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
    r"|out\s+of\s+the\s+ordinary|blew\s+up|explod\w*|abnormal(?:ly)?|irregular|odd|suspicious|unexplained"
    r"|out\s+of\s+line|off\s+the\s+charts?|doubled|tripled|skyrocket\w*|spiky)\b",
    _F,
)
_FORECAST = re.compile(
    r"\b(?:forecast\w*|projected|projections?|predict\w*|run[\s-]rate|on\s+track"
    r"|will\s+(?:we|i|it|our|the)\s+(?:\w+\s+){0,2}(?:spend|cost|pay|be)|(?:going\s+to|gonna)\s+(?:spend|cost|pay)"
    r"|(?:where|how\s+much|what)\s+(?:will|(?:are|is|r)\s+\S+\s+(?:going\s+to|gonna))\s+(?:\S+\s+){0,4}"
    r"(?:land|end\s+up|finish|come\s+in|close\s+out|total)"
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
    r"|gp2|right-?siz\w*|optimi[sz]\w*\s+(?:our\s+|the\s+)?(?:costs?|spend\w*|bill)"
    # "savings in eu-west-1", "only ones saving over $50/month" (savings plans are commitments).
    r"|savings(?!\s+plans?\b)|saving\s+(?:over|more\s+than|at\s+least|above|>)"
    r"|(?:costs?|spend|bill|finops)\s+(?:optimi[sz]\w*|reductions?|recommendations?)"
    r"|(?:optimi[sz]ation|savings?|cost[\s-]cutting)\s+(?:recommendations?|suggestions?|tips|ideas|advice)"
    r"|(?:what|anything|stuff|things)\s+(?:can|could|should)\s+(?:we|i)\s+(?:safely\s+)?"
    r"(?:clean\s+up|get\s+rid\s+of|turn\s+off|decommission)"
    r"|paying\s+for\s+(?:\S+\s+){0,4}(?:not|never|nobody|no\s+one)\s+(?:\S+\s+)?us(?:ing|ed|es))\b",
    _F,
)

# Waste, however it is said: "idle EC2 instances" (the service masked), "what's unused", "eips
# not attached to anything", "boxes doing nothing", "instances under 2% cpu".
_WASTE = re.compile(
    r"\b(?:idle|unused|underused|under-?utili[sz]ed|orphan(?:ed)?|unattached|detached|dangling|unassociated"
    r"|leftover|zombie|doing\s+nothing|sitting\s+(?:idle|around|unused)|not\s+(?:being\s+)?used"
    r"|barely\s+used|not\s+(?:attached|associated|in\s+use)|(?:under|below|less\s+than|<)\s*\d+(?:\.\d+)?\s*%"
    r"\s*(?:avg\s+|average\s+)?cpu|cpu\s+(?:usage\s+|utili[sz]ation\s+)?(?:under|below|less\s+than|<)\s*\d)",
    _F,
)
# Snapshots by age, matched on the original text (the masked text hides "snapshots").
_OLD_SNAPSHOTS = re.compile(
    r"\b(?:old|older|stale|aged|ancient|orphan(?:ed)?)\s+(?:\w+\s+)?snap(?:shot)?s\b"
    r"|\bsnap(?:shot)?s\s+(?:that\s+are\s+|which\s+are\s+)?older\s+than\b",
    _F,
)


def cost_intelligence(text: str, original: str = "") -> Intent | None:
    """ANOMALY, FORECAST or SAVINGS when the message asks for one of them (`text` masked)."""
    if _DEFINITION.search(text):
        return None
    if _ANOMALY_STRONG.search(text) or (_ANOMALY_WEAK.search(text) and _COST.search(text)):
        return Intent.ANOMALY
    if _FORECAST.search(text):
        return Intent.FORECAST
    if _SAVINGS.search(text) or _WASTE.search(text) or _OLD_SNAPSHOTS.search(original):
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


# Everyday words for the same requests, read so only when they are about a finding ("ignore
# f-0123…", "reopen that finding"): "ignore previous instructions" is no suppression.
_FINDING_REF = re.compile(r"\bf-[0-9a-f]{16}\b|\b(?:this|that|the|these|those)\s+findings?\b", _F)
_SUPPRESS_LOOSE = re.compile(
    r"\b(?:ignore|exempt|waive|allow-?list|white-?list|acknowledge|accept|risk[\s-]accepted"
    r"|accepted\s+(?:the\s+)?risk|mark\s+(?:\S+\s+){0,3}as\s+(?:accepted|(?:a\s+)?false\s+positive))\b",
    _F,
)
_UNSUPPRESS_LOOSE = re.compile(
    r"\b(?:re-?open|un-?ignore|stop\s+ignoring|no\s+longer\s+ignore|re-?activate|reinstate|restore"
    r"|un-?exempt|un-?accept)\b",
    _F,
)


# "what did we suppress?", "has anyone muted f-…": a question about earlier suppressions.
_SUPPRESS_ASKED = re.compile(
    r"\b(?:did|have|has|had)\s+(?:we|you|u|i|they|someone|anyone|somebody|anybody)\s+(?:already\s+|ever\s+)?"
    r"(?:suppress|mute|snooze|silence|ignore|risk[\s-]accept)(?:e?d)?\b",
    _F,
)


def security_request(text: str) -> Intent | None:
    """UNSUPPRESS, SUPPRESS or DECLINE when the message asks to (not) suppress a finding."""
    if is_how_to(text) or _SUPPRESS_ASKED.search(text):
        return None
    about_finding = _FINDING_REF.search(text) is not None
    if _UNSUPPRESS.search(text) or (about_finding and _UNSUPPRESS_LOOSE.search(text)):
        return Intent.UNSUPPRESS
    if _SUPPRESS.search(text) or (about_finding and _SUPPRESS_LOOSE.search(text)):
        negated = _SUPPRESS_NEGATED.search(text) or re.search(
            r"\b(?:don'?t|do\s+not|never)\s+ignore\b", text, _F
        )
        return Intent.DECLINE if negated else Intent.SUPPRESS
    return None


# Infrastructure as code: a request to write Terraform, CloudFormation or Kubernetes manifests.
# Matched on the original text (the masked text hides "k8s", "S3" ... as services).
# Not inside a name: "the terraform-state bucket" is a bucket, not a format.
_IAC_FORMAT = re.compile(r"(?<![\w-])(?:terraform|opentofu|tf|cloud\s?formation|cfn|hcl)(?![\w-])", _F)
# The format as a tag at either end of a terse request: "aws transfer sftp server, tf", "cfn: ...".
_IAC_FORMAT_TAG = re.compile(
    r"[,;(]\s*(?:in\s+|as\s+|using\s+)?(?:terraform|opentofu|tf|cloud\s?formation|cfn)(?:\s+(?:pls|please))?[\s.!)]*$"
    r"|^\s*(?:terraform|opentofu|tf|cloud\s?formation|cfn|k8s|kubernetes)\s*:",
    _F,
)
_IAC_K8S = re.compile(r"\b(?:kubernetes|k8s)\b", _F)
_IAC_WORDS = re.compile(
    r"\b(?:iac|infra(?:structure)?[\s-]as[\s-]code|infra(?:structure)?\s+(?:code|templates?|manifests?)"
    r"|(?:as|into)\s+(?:an?\s+)?helm\s+charts?)\b",
    _F,
)
_IAC_VERB = re.compile(
    r"\b(?:write|writing|generate|create|make|give\s+me|scaffold|draft|produce|build|need|want|template"
    r"|define|provision|set\s+up|spin\s+up|deploy|code\s+for|snippet|example|show\s+me)\b",
    _F,
)
_IAC_FORMAT_FOR = re.compile(
    r"\b(?:terraform|opentofu|tf|cloud\s?formation|cfn|hcl|kubernetes|k8s)\s+(?:code\s+|templates?\s+|manifests?\s+"
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
_IAC_RESOURCE = (
    r"(?:s3\s+bucket|bucket|vpc|sqs\s+queue|queue|rds|postgres\w*|mysql|database|db|dynamodb\s+table|lambda"
    r"|ecs\s+service|security\s+group|iam\s+role|kms\s+key|alarm|log\s+group|secret|sns\s+topic|ecr\s+repo\w*"
    r"|ec2\s+instance|ebs\s+volume)"
)
_IAC_CREATE = re.compile(
    r"^\s*(?:please\s+)?(?:create|provision|set\s+up|spin\s+up|write|generate|give\s+me)\s+(?:me\s+)?"
    rf"(?:an?|the|some)\s+(?:new\s+)?(?:\w+\s+){{0,3}}{_IAC_RESOURCE}\b",
    _F,
)
# "a template for a lambda function", "boilerplate for an sqs queue": code for a resource kind.
_IAC_TEMPLATE_FOR = re.compile(
    r"\b(?:templates?|boilerplate|scaffold(?:ing)?|modules?|stacks?|manifests?|snippets?)\s+(?:for|to\s+create)\s+"
    rf"(?:an?|the|some|one)?\s*(?:new\s+)?(?:[\w-]+\s+){{0,3}}?{_IAC_RESOURCE}\b",
    _F,
)


# "open port 5432 on the db security group ..., terraform": a state to set, written as code because
# the format closes the message (without it the same words change a live resource).
_IAC_STATE_TAGGED = re.compile(
    r"^\s*(?:please\s+)?(?:open|enable|encrypt|attach|restrict|lock|block)\b[^?]*[,;(]\s*(?:in\s+|as\s+|using\s+)?"
    r"(?:terraform|opentofu|tf|cloud\s?formation|cfn)(?:\s+(?:pls|please))?[\s.!)]*$",
    _F,
)


# Resource kinds people ask code for by naming them ("EFS file system for shared uploads", "HPA on
# memory for the web deployment"): specific enough that a message starting with one is a request
# to build it, not a question about live resources (those start with list/show/which/how...).
_IAC_KIND = (
    r"(?:efs(?:\s+file\s*system)?|elastic\s+file\s+system|elasticache|redis(?:\s+(?:cluster|cache|replication))?"
    r"|ecr\s+(?:repo\w*|registry)|sqs(?:\s+(?:fifo\s+)?queue)?|sns(?:\s+topic)?|(?:vpc\s+)?flow\s+logs?"
    r"|alb|nlb|(?:(?:application|network)\s+)?load\s+balancer|aurora|(?:github\s+actions?\s+)?oidc"
    r"|http\s+api|rest\s+api|api\s+gateway|rds|mysql|maria\s?db|postgres(?:ql)?|auto\s?scaling\s+group|asg"
    r"|launch\s+template|pod\s*disruption\s*budget|pdb|rbac|(?:cluster\s*)?role\s*binding|network\s*polic(?:y|ies)"
    r"|default[\s-]deny|stateful\s?set|daemon\s?set|deployment|cron\s?job|hpa|horizontal\s+pod\s+autoscaler"
    r"|config\s?map|persistent\s*volume\s*claim|pvc|service\s*account|ingress|step\s+functions?|state\s+machine"
    r"|cloud\s?trail(?:\s+trail)?|dynamo\s?db(?:\s+table)?|kinesis(?:\s+(?:data\s+)?stream)?|cloud\s?front"
    r"|waf|web\s+acl|lambda(?:\s+function)?|s3\s+bucket|(?:private|encrypted|static\s+website|website)\s+bucket"
    r"|kms\s+key|cmk|security\s+group|sg(?![\w-])|iam\s+role|log\s+group|event\s?bridge(?:\s+rule)?|secrets?\s+manager"
    r"|static\s+(?:web\s*)?site|parameter\s+store|dns\s+record|rest(?:ful)?\s+api|backup\s+vault"
    r"|secret|vpc|ec2\s+(?:instance|box|server|host|vm|machine)|ebs\s+volume|ecs\s+(?:service|cluster|fargate)|fargate(?:\s+(?:service|task|cluster))?"
    r"|bastion(?:\s+host)?|virtual\s+machine|eks\s+cluster"
    r"|backup\s+plan|aws\s+backup|ssm\s+param(?:eter)?|route\s?53|acm\s+certificate|guardduty|cloudwatch\s+alarm|alarm"
    r"|pulumi|bicep|helm\s+chart|kustomiz(?:e|ation)|redshift|opensearch|msk|kafka\s+cluster|managed\s+(?:streaming\s+for\s+)?kafka(?:\s+\(msk\))?(?:\s+cluster)?|emr(?:\s+cluster)?|glue\s+job"
    r"|cognito(?:\s+user\s+pool)?|documentdb|docdb|(?:elastic\s+)?beanstalk|app\s+runner|sagemaker|keda"
    r"|scaledobject|vertical\s*pod\s*autoscaler|vpa|istio|virtual\s+service|(?:amazon\s+)?mq\s+broker|neptune"
    r"|cdk(?:\s+stack)?|ansible(?:\s+playbook)?|crossplane(?:\s+composition)?|autoscaler|transit\s+gateway"
    r"|firehose|kinesis\s+firehose)"
)
_IAC_ADJECTIVE = (
    r"(?:private|public|encrypted|new|small|simple|basic|minimal|internal|external|regional|multi[\s-]az"
    r"|serverless(?:\s+v2)?|fifo|managed|secure|read[\s-]only|default|static|shared|prod|production|staging"
    r"|dev|dedicated|ha|postgres(?:ql)?|mysql|nginx|redis|python|node|github\s+actions?|vpc|https?|kubernetes"
    r"|privileged|unprivileged|logging|monitoring|metrics|log|backup|aws|amazon|graph|database|github|express"
    r"|publicly(?:\s+accessible)?|accessible|standard|cluster[\s-]wide|cloudwatch"
    r"|k8s|terraform|cloudformation|cfn|tf|web|api|app|worker|[a-z0-9]+(?:-[a-z0-9]+)+|\d+[\w-]*)"
)
_IAC_OPENER = r"^\s*(?:hi\s+|hey\s+|ok\s+|so\s+)?(?:please\s+)?"
# "create / I need / can you write ... <kind>": a writing or creation verb names what to build.
_IAC_NOUN_FIRST = re.compile(
    _IAC_OPENER + r"(?:"
    r"(?:(?:(?:i|we)\s+(?:need|want|would\s+like)|(?:can|could)\s+(?:you|i\s+get)(?:\s+(?:write|make|create"
    r"|give\s+me|generate|set\s+up|add))?|create|make|build|write|generate|give\s+me|set\s+up|spin\s+up"
    r"|provision|add|define|draft|scaffold|bootstrap|stand\s+up|need|want)\s+(?:me\s+|us\s+)?"
    r"(?:an?\s+|the\s+|some\s+|one\s+|two\s+|three\s+|\d+\s+|our\s+|my\s+)?(?:new\s+)?(?:[\w.-]+\s+){0,4}?"
    rf"{_IAC_KIND}s?\b))",
    _F,
)
# Or a bare noun phrase that specifies what to build: "SQS queue encrypted with a KMS key", "ALB with
# HTTPS listener". A noun phrase alone, plural or narrowed only by where it lives ("rds instances in
# us-east-1", "ebs volumes", "security group sg-0abc in prod") asks about live resources.
_IAC_BARE = re.compile(
    _IAC_OPENER + r"(?P<count>(?:an?|one|two|three|\d+)\s+)?(?:the\s+)?"
    rf"(?:{_IAC_ADJECTIVE}\s+){{0,3}}{_IAC_KIND}(?P<plural>s)?\b",
    _F,
)
_IAC_PLURAL_HEAD = re.compile(
    r"^\s*(?:[\w.-]+\s+){0,2}?(?:instances|clusters|databases|tables|queues|topics|buckets|volumes|groups"
    r"|functions|roles|keys|repos|repositories|services|deployments|alarms|secrets|snapshots|policies|trails"
    r"|streams|vpcs|subnets|balancers|nodes|pods|rules|certificates|parameters|zones|records)\b",
    _F,
)
# Where a resource lives or what it is called: a filter on live resources, not a specification.
_IAC_FILTER = re.compile(
    r"\b(?:in|from|across|on|for|under|within)\s+(?:the\s+|our\s+|all\s+|every\s+)?"
    r"(?:(?:[a-z]{2}(?:-gov)?-[a-z]+-\d|prod\w*|production|staging|stage|dev\w*|test|qa|sandbox|\d{12})\b"
    r"|(?:regions?|accounts?|env(?:ironments?)?)\b(?:\s+[\w.-]+)?)"
    r"|\b(?:named|called|tagged|with\s+tag|id)\s+\S+|\b[a-z]+-[0-9a-f]{6,}\b|\b(?:please|pls|now|today)\b",
    _F,
)
# What a specification adds to the kind: options, sizes, connections, purposes.
_IAC_SPEC = re.compile(
    r"[,:;+]|\bw/|->|\b(?:every\s+\w+|hourly|daily|nightly|weekly|kicked\s+off|fired|with|without|allowing|allows?|that|which|so|using|behind|in\s+front\s+of|fanning|encrypted"
    r"|to|for|on|at|min|max|between|across|backed|replicat\w+|\d+\s*(?:gb|gib|gi|mb|tb|replicas?|nodes?"
    r"|instances?|%))\b"
    # Links, lifecycles, engines and numbers only describe something to build.
    r"|\b(?:triggered|invoked|writing|reading|subscribed|consum\w+|fan\w*|fronting|pointing|running|sends?"
    r"|publish\w*|deliver\w*|stor(?:es|ing)|keep\w*|retain\w*|retention|scal(?:ing|es)|expir\w+|rotat\w+"
    r"|serverless|v\d+|postgres\w*|mysql|maria\s?db|database|cluster|engine|graph|\d+(?:\.\d+)?)\b"
    r"|\bas\s+an?\s+\w+|(?<!\S)/[\w.-]+/[\w./-]+"
    # A second resource to build alongside ("... and a guardduty detector").
    rf"|\b(?:and|plus)\s+(?:an?\s+|the\s+|some\s+)?(?:[\w-]+\s+){{0,2}}?{_IAC_KIND}\b",
    _F,
)
# "make rds instance prod-db not publicly accessible": a state for a live resource, not a build.
_IAC_LIVE_CHANGE = re.compile(
    r"^\s*(?:please\s+)?make\s+(?:[\w.-]+\s+){1,5}(?:not\s+|non-?)?(?:private|public|publicly\s+accessible"
    r"|accessible|encrypted|internal|read[\s-]only|compliant|secure)\s*[.!]*\s*$"
    # "add a tag / an ingress rule to rds instance prod-db": a change to a live resource.
    r"|^\s*(?:please\s+)?add\s+(?:an?\s+|the\s+|some\s+)?(?:[\w.=:-]+\s+){0,3}?(?:to|on)\s+(?:the\s+|our\s+|my\s+)?"
    r"(?:[\w.-]+\s+){0,3}?[\w.]+-[0-9a-z][\w-]*\s*[.!]*\s*$",
    _F,
)


# "iam role for ec2 that can read ...", "role letting lambda write to table orders", "instance role
# for ec2 with ssm access": a role to write, named with whom it is for or what it may do (the
# plural heads above would read "role for step functions" as an inventory of functions).
_IAC_ROLE_FOR = re.compile(
    _IAC_OPENER + r"(?:(?:create|make|write|generate|give\s+me|(?:i\s+|we\s+)?need)\s+(?:me\s+|us\s+)?)?"
    r"(?:an?\s+|the\s+|one\s+|new\s+)*(?:(?:aws\s+)?(?:iam|instance|execution|service|task)\s+)?roles?\s+"
    r"(?:for|letting|allowing|that\s+(?:can|lets|allows)|which\s+can|to\s+let|assumable\s+by|with)\b",
    _F,
)


def _bare_iac_noun_phrase(text: str) -> bool:
    m = _IAC_BARE.search(text)
    if m is None:
        return False
    tail = _IAC_FILTER.sub(" ", text[m.end() :])
    # "default-deny network policies for namespace x" asks for policies to be written.
    built = re.match(rf"{_IAC_OPENER}default[\s-]deny\b", text, _F) is not None
    if not m.group("count") and not built and (m.group("plural") or _IAC_PLURAL_HEAD.search(tail)):
        return False  # "ebs volumes", "rds instances in us-east-1": an inventory
    return bool(_IAC_SPEC.search(tail))


# Questions and commands about live resources, never code requests.
_IAC_NOT = re.compile(
    r"^\s*(?:list|show|describe|which|what|how|why|when|where|who|is|are|do|does|did|has|have|was|were|any"
    r"|turn|enable|disable|rotate|encrypt|attach|detach|restrict|lock|terminate|resize|upgrade|update|modify"
    r"|count|check|scan|find|get|fix|close|open|block|revoke|remediate|stop|start|delete|remove|tag|suppress"
    r"|unsuppress|ignore|snooze|explain|tell|compare|status|cost|spend)\b"
    r"|\?\s*$|(?<![\w-])(?:how\s+much|how\s+many|spend|spent|cost(?:s|ing)?|bill|findings?|runbook|anomal\w+"
    r"|forecast\w*|savings?)(?![\w-])|^\s*make\s+(?:the\s+|a\s+|an\s+|it\s+)?(?:[\w.-]+\s+){0,3}(?:private|public)\b",
    _F,
)


_EVENT_FINDINGS = re.compile(
    r"\b(?:guard\s?duty|security\s*hub|inspector|macie|access\s+analyzer)\s+findings?\b"
    # Cost words naming a thing to build, not a question ("a workgroup for cost queries").
    r"|\bfor\s+(?:our\s+|the\s+)?(?:cost|spend|billing)\s+(?:queries|query|reports?|analysis|data|alerts?"
    r"|exports?|dashboards?)\b",
    _F,
)


def _names_unbuildable_first(text: str) -> bool:
    """The message opens with a resource kind the generator names as one it cannot build ("glue
    crawler over our data lake"): a request for code, answered with an explicit refusal."""
    from tools.iac.unsupported import FORMATS, KINDS

    opening = re.sub(rf"{_IAC_OPENER}(?:an?\s+|the\s+|some\s+|new\s+)*", "", text, count=1, flags=_F)
    if _IAC_PLURAL_HEAD.search(opening):
        return False  # "redshift clusters": an inventory
    for kind in (*KINDS, *FORMATS):
        m = kind.pattern.search(opening)
        if m is not None and m.start() == 0 and opening[m.end() :].strip():
            return True
    return False


def is_iac_request(original: str) -> bool:
    """Whether the message asks for infrastructure code (not for a change to live resources)."""
    text = original.lower()
    if _IAC_FORMAT_FOR.search(text) or _IAC_WORDS.search(text) or _IAC_CREATE.search(text):
        return True
    # Findings named by the AWS service that emits them are an event source, not our findings.
    live_text = _EVENT_FINDINGS.sub(" ", text)
    live = _IAC_NOT.search(live_text) or _IAC_LIVE_CHANGE.search(text)
    if not live and (_IAC_NOUN_FIRST.search(text) or _bare_iac_noun_phrase(text)):
        return True
    if not live and _IAC_ROLE_FOR.search(text):
        return True
    if not live and _names_unbuildable_first(text):
        return True
    if _IAC_STATE_TAGGED.search(text) and re.search(rf"\b{_IAC_KIND}", text, _F):
        return True
    if not _IAC_NOT.search(text) and _IAC_FORMAT.search(text) and re.search(rf"\b{_IAC_KIND}", text, _F):
        return True
    if _IAC_TEMPLATE_FOR.search(text):
        return True
    tag = _IAC_FORMAT_TAG.search(text)
    # After a leading "k8s:" the message itself must not be a question or a command ("k8s: list pods").
    if tag is not None and not live and not _IAC_NOT.search(_EVENT_FINDINGS.sub(" ", text[tag.end() :])):
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
    security = security_request(text)
    if security is None and _SUPPRESS_ASKED.search(text):
        return Classification(Intent.FINDINGS)
    if security is not None and _FINDING_REF.search(text):
        # A named finding is never a cost question ("snooze f-… until end of month").
        return Classification(security)
    wanted = cost_intelligence(text, ex.original)
    if wanted is not None:
        return Classification(wanted)
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
    if _COST.search(text) or ex.cost_types or (ex.charge_category and not ex.resources):
        return Classification(Intent.COST)
    if _SCAN.search(text):
        return Classification(Intent.SCAN)
    has_target = bool(ex.resources or any(s.resource_type for s in ex.services))
    if ex.group_by and ex.period and not has_target:
        return Classification(Intent.COST)
    if ex.compare_to and not ex.resources:
        # "compare september to august", "month over month by service": only costs compare periods.
        return Classification(Intent.COST)
    filters = ex.services or ex.service_terms or ex.regions or ex.providers or ex.tags or ex.account
    if ex.period and filters and not ex.resources and _only_arguments(text):
        # "ec2 in us-east-1 last month": only costs have a period.
        return Classification(Intent.COST)
    if (has_target or ex.services or ex.service_terms or ex.providers) and _INVENTORY.search(text):
        return Classification(Intent.INVENTORY)
    if _INVENTORY_ALL.search(text) and not ex.service_terms:
        return Classification(Intent.INVENTORY)
    if _KNOWLEDGE_WEAK.search(text) and not ex.has_arguments():
        return Classification(Intent.KNOWLEDGE)
    if has_target and (_INVENTORY_WEAK.search(text) or _only_arguments(text)):
        return Classification(Intent.INVENTORY, explicit=False)
    if _KNOWLEDGE_WEAK.search(text):
        return Classification(Intent.KNOWLEDGE, explicit=False)
    if _VAGUE.match(text):
        # "can you check": a request with nothing to act on; ask rather than guess.
        return Classification(Intent.UNKNOWN, explicit=False)
    if _SYMPTOM.search(text) and len(text.split()) >= 3:
        return Classification(Intent.KNOWLEDGE, explicit=False)
    if _QUESTION.search(text) and len(text.split()) >= 3:
        # A real question no tool covers: the knowledge base answers it or says it has no source,
        # rather than a guess.
        return Classification(Intent.KNOWLEDGE, explicit=False)
    return Classification(Intent.UNKNOWN, explicit=False)


_QUESTION = re.compile(
    r"^(?!what about\b|how about\b)(who|what|when|where|why|which|how|is|are|does|do|did|can|could|should)\b"
)


_VAGUE = re.compile(
    r"^\s*(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|please\s+)?"
    r"(?:check|look|help|see|investigate|do|handle|take\s+a\s+look)"
    r"(?:\s+(?:it|that|this|again|now|please|pls|into\s+it|at\s+it|for\s+me|out))*[\s?!.]*$",
    _F,
)


def _only_arguments(text: str) -> bool:
    """The message is nothing but names, ids and filler ("sg-0123abcd?", "buckets in Ireland")."""
    rest = re.sub(r"⟨\w+⟩|\b(?:in|on|for|the|our|my|all|and|please|of|any)\b|[\s?!.,]", "", text)
    return rest == ""


_FOLLOW_UP = re.compile(
    r"^\s*(?:and|what\s+about|how\s+about|(?:do\s+)?(?:the\s+)?same\s+(?:for|but|in|with|thing|as)"
    r"|now\s+(?:as|for|in|with|show)|as|redo\s+(?:it|that)"
    r"|(?:(?:can\s+(?:you|u)|pls|please)\s+)?(?:break|split|group|slice)\s+(?:that|it|this|those|them)\b"
    r"|also|ok(?:ay)?,?\s+(?:and|what\s+about|now)|then|instead|compare\s+with|vs\.?|versus|only|just)\b",
    _F,
)


# "bob's access key leaked, deactivate it": a statement, then a command whose object is "it".
_PRONOUN_COMMAND = re.compile(
    r"^(?P<head>.+?)\s*(?:[,;:.!?]+|\s-+|\s+(?:so|and)"
    # No separator at all when a change verb ends the message: "ssh is wide open on sg-… shut it".
    r"|(?=\s+(?:shut|close|kill|block|revoke|disable|lock)\b))\s+(?:(?:so|then|please|pls|just|now)\s+|can\s+you\s+|go\s+ahead\s+and\s+)*"
    r"(?P<verb>[a-z]+(?:\s+[a-z]+)?)\s+(?:it|that|this|them|those|these)(?P<tail>\s+(?:off|on|down|out|up|private))?"
    r"(?:\s+(?:please|pls|now|asap|right\s+away))?[\s.!]*$",
    _F,
)


def pronoun_command(text: str) -> str | None:
    """The command with its object put back ("deactivate bob's access key leaked"), or None.

    The planner only uses it when the re-read message is a change request, so a question or a
    statement keeps its own reading.
    """
    m = _PRONOUN_COMMAND.match(text.strip())
    if m is None:
        return None
    return f"{m.group('verb')}{m.group('tail') or ''} {m.group('head')}"


def is_follow_up(ex: Extraction) -> bool:
    """Whether the message refines the previous request rather than starting a new one."""
    text = ex.lower.strip()
    if _FOLLOW_UP.search(text):
        return True
    # A few words that only set arguments: "by service", "S3 in Ireland?"
    return ex.has_arguments() and (_only_arguments(text) or len(text.split()) <= 4)
