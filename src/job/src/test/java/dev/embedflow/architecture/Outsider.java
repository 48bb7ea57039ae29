package dev.embedflow.architecture;

import dev.embedflow.architecture.fixture.internal.Hidden;

/** Uses an internal class from outside its parent package (test fixture). */
final class Outsider {
    static int value() {
        return Hidden.value();
    }
}
