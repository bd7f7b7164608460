<?php
// Copied to /etc/wordpress/config-default.php by build.py: the site is http://fakehost,
// its database "wp" on the local MariaDB, and WordPress makes no request of its own.
define('DB_NAME', 'wp');
define('DB_USER', 'wp');
define('DB_PASSWORD', 'wp');
define('DB_HOST', 'localhost');
define('WP_HOME', 'http://fakehost');
define('WP_SITEURL', 'http://fakehost');
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
