package dev.jdpo.tokenizer.template;

import java.beans.FeatureDescriptor;
import java.util.Iterator;
import java.util.Optional;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Resolves method calls on strings ({@code content.startswith('<tool_response>')}, {@code .split('</think>')[-1]})
 * with Python semantics ahead of Jinjava's own resolver, which would look for Java methods on java.lang.String.
 */
final class PythonStringResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String value) || method == null) {
            return null;
        }
        Optional<Object> result = PythonStrings.call(value, method.toString(), params == null ? new Object[0] : params);
        if (result.isPresent()) {
            context.setPropertyResolved(true);
            return result.get();
        }
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // read-only: templates never assign through strings
    }
}
