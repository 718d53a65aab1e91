package io.offhook.app;

import io.offhook.config.ConfigException;
import io.offhook.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code offhook [--config FILE] [--check]}: runs the SIP tap and the XMPP component until SIGTERM or Ctrl-C, then
 * takes down every presence it put up and disconnects. {@code --check} validates the config and exits. Exit
 * status: 0 after a clean stop or a good check, 1 when start-up fails, 2 for a bad command line or config.
 */
public final class Main {
    private static final Logger LOG = LogManager.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        Path file = Path.of("etc/offhook.conf");
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        usage("--config needs a file");
                    }
                    file = Path.of(args[++i]);
                }
                case "--check" -> check = true;
                case "-h", "--help" -> {
                    System.out.println("usage: offhook [--config FILE] [--check]");
                    return;
                }
                default -> usage("unknown option '" + args[i] + "'");
            }
        }
        OffhookConfig config;
        try {
            if (!Files.isRegularFile(file)) {
                usage("config file " + file + " not found (use --config FILE)");
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
        if (check) {
            System.err.println("offhook: " + file + " is valid");
            return;
        }
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

    private static void usage(String problem) {
        System.err.println("offhook: " + problem);
        System.err.println("usage: offhook [--config FILE] [--check]");
        System.exit(2);
    }
}
