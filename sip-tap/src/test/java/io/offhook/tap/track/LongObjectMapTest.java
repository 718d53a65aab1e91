package io.offhook.tap.track;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongObjectMapTest {
    @Test
    void agreesWithHashMapUnderRandomOperations() {
        Random random = new Random(42);
        LongObjectMap<Integer> map = new LongObjectMap<>(2);
        Map<Long, Integer> reference = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            // A small key space with clustered hashes forces long probe runs and wrap-around deletions.
            long key = 1 + random.nextInt(5_000) * 0x1_0000_0000L;
            switch (random.nextInt(3)) {
                case 0 -> {
                    map.put(key, i);
                    reference.put(key, i);
                }
                case 1 -> {
                    map.remove(key);
                    reference.remove(key);
                }
                default -> assertEquals(reference.get(key), map.get(key), "key " + key + " at step " + i);
            }
            assertEquals(reference.size(), map.size());
        }
        for (Map.Entry<Long, Integer> e : reference.entrySet()) {
            assertEquals(e.getValue(), map.get(e.getKey()));
        }
    }
}
