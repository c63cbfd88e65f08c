package dev.jdpo.tokenizer.data;

/** Why an input row was rejected. The names are stable: reports, the gRPC API and scripts match on them. */
public enum ErrorCode {
    /** The line is not valid JSON (or has trailing data after the value). */
    MALFORMED_JSON,
    /** The line's bytes are not valid UTF-8. */
    INVALID_UTF8,
    /** The line is longer than the configured byte limit; it was skipped without being held in memory. */
    LINE_TOO_LONG,
    /** The JSON nests deeper than the parser allows. */
    NESTING_TOO_DEEP,
    /** The row is valid JSON but not an object. */
    NOT_AN_OBJECT,
    /** The row matches none of the supported preference formats. */
    UNRECOGNIZED_FORMAT,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field has the wrong JSON type. */
    WRONG_TYPE,
    /** A message role is not one of system, developer, user, assistant, tool. */
    UNKNOWN_ROLE,
    /** A message or completion is empty or whitespace only. */
    EMPTY_CONTENT,
    /** The preferred and non-preferred completions are the same. */
    IDENTICAL_COMPLETIONS,
    /** A completion contains a message whose role is not assistant or tool. */
    INVALID_OUTPUT_ROLE,
    /** A completion contains no assistant message. */
    MISSING_ASSISTANT_MESSAGE,
    /** An implicit prompt is empty: chosen and rejected share no leading part. */
    NO_SHARED_PROMPT,
    /** The explicit prompt text differs from the user turn the conversations start with. */
    PROMPT_MISMATCH,
    /** The prompt alone reaches max_length, so no completion token would be trained on; the pair is dropped. */
    PROMPT_TOO_LONG,
    /** tok(prompt + completion) does not start with tok(prompt): the tokenizer merges across the boundary. */
    TOKEN_BOUNDARY_MISMATCH,
    /** The chat template renders the prompt differently once the assistant turn is appended. */
    TEMPLATE_PREFIX_MISMATCH,
    /** The chat template raised an error (raise_exception) or failed to render. */
    TEMPLATE_ERROR,
    /** The row is conversational but the model has no chat template. */
    NO_CHAT_TEMPLATE
}
