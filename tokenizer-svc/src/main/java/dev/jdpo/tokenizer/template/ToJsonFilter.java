package dev.jdpo.tokenizer.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Map;

/** {@code tojson} as transformers defines it (Python json.dumps layout), replacing Jinjava's compact Jackson output. */
final class ToJsonFilter implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        Object sortKeys = kwargs.get("sort_keys");
        return PythonJson.dumps(var, indent == null ? null : Integer.valueOf(indent.toString()),
                sortKeys != null && Boolean.parseBoolean(sortKeys.toString()));
    }
}
