<?php
/**
 * PHPUnit bootstrap: the real WordPress of the running stack, the real plugin, the real
 * library in the FFI mode this PHP was started in (run.sh passes the flags).
 */

require __DIR__ . '/wp-boot.php';
require __DIR__ . '/lib/class-witsper-testcase.php';
