package dev.jdpo.tokenizer.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.jdpo.tokenizer.data.ChatMessage;
import dev.jdpo.tokenizer.text.SpecialTokens;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELResolver;

/**
 * A model's Jinja chat template rendered like transformers' {@code apply_chat_template}: trim_blocks and
 * lstrip_blocks on, {@code raise_exception}, Python-style {@code tojson}, {@code strftime_now}, Python string
 * methods, the special tokens as variables, {@code tools} and {@code add_generation_prompt}. A construct the engine
 * would render wrongly without an error (loop filters) makes every render fail instead.
 */
public final class ChatTemplate {

    /** Output cap per render: a template looping over hostile input must not fill the heap. */
    private static final long MAX_OUTPUT_CHARS = 64L << 20;

    private final String source;
    private final Optional<String> unsupported;
    private final Jinjava jinjava;
    private final Map<String, Object> specialTokens;

    public ChatTemplate(String source, SpecialTokens special) {
        this.source = withoutTrailingNewline(source);
        this.unsupported = UnsupportedConstructs.find(source);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                // Jinjava would otherwise evaluate "{{ ... }}" found inside message text: data must stay data
                .withNestedInterpretationEnabled(false)
                .withElResolver(resolver())
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .build())
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(
                new ELFunctionDefinition("", "raise_exception", TemplateRaise.class, "raise", String.class));
        jinjava.getGlobalContext().registerFunction(
                new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class, "strftimeNow", String.class));
        jinjava.getGlobalContext().registerFilter(new ToJsonFilter());
        Map<String, Object> tokens = new HashMap<>();
        tokens.put("eos_token", special.eosToken());
        special.bosToken().ifPresent(bos -> tokens.put("bos_token", bos));
        this.specialTokens = Map.copyOf(tokens);
    }

    /** Renders {@code messages}; {@code tools} empty means none (the template sees None, as with transformers). */
    public String render(List<ChatMessage> messages, List<Object> tools, boolean addGenerationPrompt)
            throws TemplateException {
        if (unsupported.isPresent()) {
            throw new TemplateException("chat template cannot be rendered faithfully: " + unsupported.get());
        }
        Map<String, Object> context = new HashMap<>(specialTokens);
        context.put("messages", messages.stream().map(ChatMessage::toTemplateValue).toList());
        context.put("add_generation_prompt", addGenerationPrompt);
        // transformers passes tools=None when there are none
        context.put("tools", tools.isEmpty() ? null : tools);
        RenderResult result;
        try {
            result = jinjava.renderForResult(source, context);
        } catch (TemplateRaise e) {
            throw new TemplateException("chat template raised: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new TemplateException("chat template failed: " + e.getMessage());
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new TemplateException(describe(error));
            }
        }
        return result.getOutput();
    }

    private static ELResolver resolver() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        return resolver;
    }

    /** Jinja2's default keep_trailing_newline=False drops one newline at the end of the template source. */
    private static String withoutTrailingNewline(String source) {
        if (source.endsWith("\r\n")) {
            return source.substring(0, source.length() - 2);
        }
        return source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
    }

    private static String describe(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateRaise) {
                return "chat template raised: " + t.getMessage();
            }
        }
        String where = error.getLineno() > 0 ? " (template line " + error.getLineno() + ")" : "";
        return "chat template failed: " + error.getMessage() + where;
    }
}
