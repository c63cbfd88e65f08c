package dev.jdpo.host;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.ApplicationContextConfiguration;
import io.micronaut.context.DefaultApplicationContext;
import io.micronaut.context.DefaultApplicationContextBuilder;
import io.micronaut.inject.BeanDefinitionReference;
import java.util.List;

/**
 * A Micronaut context that loads only Micronaut's own beans from the class path. A host runs in JVMs whose class
 * path also carries application beans (under {@code jdpo serve tokenizer}, the orchestrator's run state and
 * RunService), and those must neither start nor be served: the host serves exactly the services it is given.
 */
final class HostApplicationContext extends DefaultApplicationContext {

    private static final String FRAMEWORK_PACKAGE = "io.micronaut.";

    private HostApplicationContext(ApplicationContextConfiguration configuration) {
        super(configuration);
    }

    /** A builder whose {@code build()} makes a {@link HostApplicationContext}. */
    static DefaultApplicationContextBuilder builder() {
        return new DefaultApplicationContextBuilder() {
            @Override
            protected ApplicationContext newApplicationContext() {
                return new HostApplicationContext(this);
            }
        };
    }

    @Override
    protected List<BeanDefinitionReference> resolveBeanDefinitionReferences() {
        return super.resolveBeanDefinitionReferences().stream()
                .filter(reference -> reference.getBeanDefinitionName().startsWith(FRAMEWORK_PACKAGE))
                .toList();
    }
}
