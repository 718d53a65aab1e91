package io.offhook.app;

import io.offhook.config.ConfigException;
import io.offhook.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code offhook}: runs the SIP tap and the XMPP component until SIGTERM or Ctrl-C, then takes down every presence
 * it put up and disconnects; {@code check-config} validates without starting anything ({@link ConfigCheck});
 * {@code --version}, {@code --help}. The command line is {@link CommandLine}. Exit status: 0 after a good check,
 * 1 when start-up fails, 2 for a bad command line or config; after SIGTERM the JVM reports 143 (128 + 15) once
 * the shutdown hook has stopped everything.
 */
public final class Main {
    private static final Logger LOG = LogManager.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        CommandLine command;
        try {
            command = CommandLine.parse(Arrays.asList(args), CommandLine.defaultConfig());
        } catch (CommandLine.UsageException e) {
            System.err.println("offhook: " + e.getMessage());
            System.err.println(CommandLine.USAGE);
            System.exit(2);
            return;
        }
        switch (command.action()) {
            case HELP -> System.out.print(CommandLine.HELP);
            case VERSION -> System.out.println("offhook " + CommandLine.version());
            case CHECK_CONFIG -> System.exit(ConfigCheck.run(command.config(), command.addresses(), System.out,
                    System.err));
            case RUN -> run(command.config());
        }
    }

    private static void run(Path file) {
        OffhookConfig config;
        try {
            if (!Files.isRegularFile(file)) {
                System.err.println("offhook: config file " + file + " not found (use --config FILE)");
                System.exit(2);
                return;
            }
            config = OffhookConfig.from(Settings.load(file));
        } catch (ConfigException e) {
            System.err.println("offhook: the config has problems:");
            e.problems().forEach(p -> System.err.println("  " + p));
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("offhook: cannot read " + file + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("Offhook {} starting with {}", CommandLine.version(), file.toAbsolutePath().normalize());
        Services services;
        try {
            services = Services.start(config, Clock.systemUTC());
        } catch (Exception e) {
            LOG.error("Offhook could not start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping");
            services.close();
            LOG.info("Stopped");
            stopped.countDown();
            LogManager.shutdown();
        }, "offhook-shutdown"));
        LOG.info("Offhook running");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
