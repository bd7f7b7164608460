<?php
// Fills a fresh WordPress install with the site described by a JSON spec (see build.py):
//   php populate.php spec.json
// Posts, pages, categories, tags, comments, menus, a blogroll widget and an author bio.
// Prints {"posts": {key: post_id}, "pages": {key: page_id}} as JSON.
$_SERVER['HTTP_HOST'] = 'fakehost';
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/nav-menu.php';
wp_set_current_user(1);  // the administrator: post HTML is kept as written (unfiltered_html)
$spec = json_decode(file_get_contents($argv[1]), true);

update_option('blogdescription', $spec['tagline']);
update_option('posts_per_page', 5);
wp_update_user(['ID' => 1, 'display_name' => $spec['author']['name'],
                'description' => $spec['author']['bio'], 'user_url' => $spec['author']['url']]);
// the default "Hello world!" post and "Sample Page" go
foreach (get_posts(['post_type' => ['post', 'page'], 'numberposts' => -1, 'post_status' => 'any']) as $p) {
    wp_delete_post($p->ID, true);
}
$out = ['posts' => [], 'pages' => []];
foreach ($spec['pages'] as $page) {
    $out['pages'][$page['key']] = wp_insert_post(['post_type' => 'page', 'post_status' => 'publish',
        'post_title' => $page['title'], 'post_content' => $page['content']], true);
}
$when = strtotime('2024-01-08 09:00:00');
foreach ($spec['posts'] as $i => $post) {
    $cats = [];
    foreach ($post['categories'] as $name) {
        $term = term_exists($name, 'category') ?: wp_insert_term($name, 'category');
        $cats[] = (int) $term['term_id'];
    }
    $id = wp_insert_post(['post_type' => 'post', 'post_status' => 'publish',
        'post_title' => $post['title'], 'post_content' => $post['content'],
        'post_excerpt' => '', 'post_category' => $cats, 'tags_input' => $post['tags'],
        'post_date' => date('Y-m-d H:i:s', $when + $i * 86400 * 3)], true);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
    foreach ($post['comments'] as $j => $c) {
        wp_insert_comment(['comment_post_ID' => $id, 'comment_author' => $c['author'],
            'comment_author_url' => $c['url'], 'comment_author_email' => "c$j@fakehost.invalid",
            'comment_content' => $c['text'], 'comment_approved' => 1,
            'comment_date' => date('Y-m-d H:i:s', $when + $i * 86400 * 3 + 3600 * ($j + 1))]);
    }
    $out['posts'][$post['key']] = $id;
}
$locations = [];
// menus: a primary one named "Main Menu" (WordPress writes .menu-main-menu-container) and a
// footer one of social links
foreach ($spec['menus'] as $menu) {
    $menu_id = wp_create_nav_menu($menu['name']);
    foreach ($menu['items'] as $item) {
        $args = ['menu-item-status' => 'publish', 'menu-item-title' => $item['title']];
        if (isset($item['page'])) {
            $args += ['menu-item-type' => 'post_type', 'menu-item-object' => 'page',
                      'menu-item-object-id' => $out['pages'][$item['page']]];
        } elseif (isset($item['category'])) {
            $term = get_term_by('name', $item['category'], 'category');
            $args += ['menu-item-type' => 'taxonomy', 'menu-item-object' => 'category',
                      'menu-item-object-id' => $term->term_id];
        } else {
            $args += ['menu-item-type' => 'custom', 'menu-item-url' => $item['url']];
        }
        wp_update_nav_menu_item($menu_id, 0, $args);
    }
    $locations[$menu['location']] = $menu_id;
}
foreach ($spec['themes'] as $theme) {  // menu locations are a setting of each theme's
    switch_theme($theme);
    set_theme_mod('nav_menu_locations', $locations);
}
// a blogroll in the widget area, after the install's default widgets
$blocks = get_option('widget_block', []);
$n = max(array_filter(array_keys($blocks), 'is_int') ?: [0]) + 1;
$blocks[$n] = ['content' => $spec['blogroll']];
update_option('widget_block', $blocks);
update_option('fieldnotebook_blogroll', "block-$n");  // switch.php puts it in each theme's sidebar
echo json_encode($out), "\n";
