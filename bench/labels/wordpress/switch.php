<?php
// php switch.php THEME: makes THEME the site's theme, with the blogroll widget (populate.php)
// last in its first widget area (a theme switch moves widgets WordPress cannot place to the
// inactive ones).
$_SERVER['HTTP_HOST'] = 'fakehost';
require '/usr/share/wordpress/wp-load.php';
switch_theme($argv[1]);
$blogroll = get_option('fieldnotebook_blogroll');
$sidebars = wp_get_sidebars_widgets();
if ($blogroll && isset($sidebars['sidebar-1'])) {
    foreach ($sidebars as $area => $widgets) {
        $sidebars[$area] = array_values(array_diff((array) $widgets, [$blogroll]));
    }
    $sidebars['sidebar-1'][] = $blogroll;
    wp_set_sidebars_widgets($sidebars);
}
