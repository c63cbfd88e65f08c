"""Writes cases.json: chat templates rendered by Python Jinja2 configured as transformers does
(ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, raise_exception, tojson via
json.dumps(ensure_ascii=False)). Run once: python3 make_cases.py (needs jinja2)."""
import json
import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)

def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception

LLAMA3 = """{{- bos_token }}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}
{{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
{%- if tools is not none %}
    {{- "Tools:\\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\\n\\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}
{%- for message in messages %}
    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}
"""

QWEN = """{%- if tools %}
    {{- '<|im_start|>system\\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are a helpful assistant.' }}
    {%- endif %}
    {{- "\\n\\n# Tools\\n\\n<tools>" }}
    {%- for tool in tools %}
        {{- "\\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\\n</tools><|im_end|>\\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
    {%- endif %}
{%- endif %}
{%- set ns = namespace(turns=0) %}
{%- for message in messages %}
    {%- if message.role == "user" or (message.role == "system" and not loop.first) %}
        {%- set ns.turns = ns.turns + 1 %}
        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\\n' + message.content }}
        {%- endif %}
        {%- if message.tool_calls %}
            {%- for tool_call in message.tool_calls %}
                {{- '\\n<tool_call>\\n{"name": "' }}
                {{- tool_call.function.name }}
                {{- '", "arguments": ' }}
                {{- tool_call.function.arguments | tojson }}
                {{- '}\\n</tool_call>' }}
            {%- endfor %}
        {%- endif %}
        {{- '<|im_end|>\\n' }}
    {%- elif message.role == "tool" %}
        {%- if loop.index0 == 0 or messages[loop.index0 - 1].role != "tool" %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\\n<tool_response>\\n' }}
        {{- message.content }}
        {{- '\\n</tool_response>' }}
        {%- if loop.last or messages[loop.index0 + 1].role != "tool" %}
            {{- '<|im_end|>\\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
{%- endif %}
{{- '<!-- ' ~ ns.turns ~ ' user turns -->' }}
"""

MISTRAL = """{{- bos_token }}
{%- for message in messages %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif %}
    {%- if message['role'] == 'user' %}
        {{- '[INST] ' + message['content'] + ' [/INST]' }}
    {%- elif message['role'] == 'assistant' %}
        {{- ' ' + message['content'] + eos_token }}
    {%- else %}
        {{- raise_exception('Only user and assistant roles are supported!') }}
    {%- endif %}
{%- endfor %}
"""

BLOCKS = """{% for m in messages %}
    {% if m.role == 'user' %}
User: {{ m.content }}
    {% else %}
Bot: {{ m.content }}
    {% endif %}
{% endfor %}
{% if add_generation_prompt %}
Bot:{% endif %}"""

THINK = """{%- for message in messages %}
    {%- set content = message.content %}
    {%- if message.role == "assistant" and '</think>' in content %}
        {%- set content = content.split('</think>')[-1].lstrip('\\n') %}
    {%- endif %}
    {%- if message.role == "user" and message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>') %}
        {{- '<|im_start|>tool\\n' + message.content.strip() + '<|im_end|>\\n' }}
    {%- else %}
        {{- '<|im_start|>' + message.role.upper() + '\\n' + content.rstrip() + '<|im_end|>\\n' }}
    {%- endif %}
{%- endfor %}
{{- '[' + 'a,,b'.split(',') | join('|') + '] [' + ' x  y '.split() | join('|') + '] ' + 'k=v=w'.split('=', 1)[1] }}
{{- ' .split( stays text' }}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n<think>\\n\\n</think>\\n\\n' }}
{%- endif %}
"""

LOOP_FILTER = """{%- for message in messages if message.role != 'system' %}{{ message.content }};{% endfor %}"""

TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city, in °C",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
SYS_USER = [{"role": "system", "content": "  Be brief.  "}, {"role": "user", "content": "What is 2 + 2?"}]
TOOL_TURNS = [{"role": "user", "content": "Weather in Paris?"},
              {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
              {"role": "tool", "content": "{\"temp\": 21.5}"},
              {"role": "assistant", "content": "It is 21.5 °C in Paris."}]

cases = [
    ("llama3-no-tools", LLAMA3, SYS_USER, None, True),
    ("llama3-tools", LLAMA3, SYS_USER, TOOLS, True),
    ("llama3-with-answer", LLAMA3, SYS_USER + [{"role": "assistant", "content": "4"}], None, False),
    ("qwen-plain", QWEN, SYS_USER, None, True),
    ("qwen-tools", QWEN, SYS_USER, TOOLS, True),
    ("qwen-tool-turns", QWEN, TOOL_TURNS, TOOLS, False),
    ("mistral", MISTRAL, [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}], None, False),
    ("mistral-raises", MISTRAL, SYS_USER, None, True),
    ("think", THINK, [{"role": "user", "content": "2+2?  "},
                      {"role": "assistant", "content": "<think>\nadd\n</think>\n\n4  "},
                      {"role": "user", "content": "<tool_response> 21.5 </tool_response>"}], None, True),
    ("loop-filter", LOOP_FILTER, SYS_USER, None, False),
    ("blocks", BLOCKS, [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}], None, True),
]
out = []
for name, template, messages, tools, gen in cases:
    case = {"name": name, "template": template, "messages": messages, "tools": tools, "add_generation_prompt": gen}
    try:
        case["expected"] = env.from_string(template).render(messages=messages, tools=tools, add_generation_prompt=gen,
                                                             bos_token="<s>", eos_token="</s>")
    except jinja2.exceptions.TemplateError as e:
        case["error"] = str(e)
    if name == "loop-filter":
        case["unsupported"] = "loop filters"
    out.append(case)
with open("cases.json", "w") as f:
    json.dump({"made_with": "Jinja2 " + jinja2.__version__ + " via make_cases.py", "cases": out}, f, indent=1, ensure_ascii=False)
    f.write("\n")
