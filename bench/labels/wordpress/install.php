<?php
// php install.php: WordPress's own install into the empty database "wp" (build.py makes it).
$_SERVER['HTTP_HOST'] = 'fakehost';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('The Field Notebook', 'editor', 'editor@fakehost.invalid', true, '', wp_generate_password());
