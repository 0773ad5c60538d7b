package io.lkworker.cli;

import io.lkworker.config.ConfigSources;

/** A command whose unset options fall back to the environment and the config file. */
interface ConfigSourced {

    /** Registered as the command's picocli default value provider. */
    ConfigSources sources();
}
