<?php
/**
 * A block post renders byte-identically through the_content (do_blocks) with the plugin's
 * parser and with WordPress's. Each render runs in a fresh PHP: block supports number
 * their generated class names per process (wp_unique_id), so two renders in one process
 * would differ for reasons that have nothing to do with the parser.
 */
class RenderTest extends Witsper_TestCase {

	/** @var int[] Posts to delete. */
	private $posts = array();

	// No transaction here: the rendering subprocesses must see the post.
	protected function setUp(): void {
		wp_cache_flush();
	}

	protected function tearDown(): void {
		foreach ( $this->posts as $id ) {
			wp_delete_post( $id, true );
		}
		wp_cache_flush();
	}

	public static function documents(): array {
		$rows = self::as_provider( self::shared_corpus_files() );
		$rows['builtin corpus, concatenated'] = array( 'builtin' );
		return $rows;
	}

	/**
	 * @dataProvider documents
	 */
	public function test_post_renders_identically( string $source ): void {
		if ( 'builtin' === $source ) {
			$content = implode( "\n\n", array_map( 'file_get_contents', self::builtin_corpus_files() ) );
		} else {
			$content = file_get_contents( $source );
		}
		$this->assertNotEmpty( $content );
		// Store the bytes as they are: kses and other content_save_pre filters would rewrite
		// them, and the point is to render this exact markup.
		$saved = $GLOBALS['wp_filter']['content_save_pre'] ?? null;
		remove_all_filters( 'content_save_pre' );
		try {
			$id = wp_insert_post(
				array(
					'post_title'   => 'witsper render test',
					'post_content' => wp_slash( $content ),
					'post_status'  => 'publish',
					'post_type'    => 'post',
				),
				true
			);
		} finally {
			if ( null !== $saved ) {
				$GLOBALS['wp_filter']['content_save_pre'] = $saved;
			}
		}
		$this->assertIsInt( $id, is_wp_error( $id ) ? $id->get_error_message() : '' );
		$this->posts[] = $id;
		// post_content went through kses-free insert: make sure it was stored unchanged.
		$this->assertSame( $content, get_post( $id )->post_content );

		$with    = self::probe( null, array(), array( '--render=' . $id ) );
		$without = self::probe( null, array(), array( '--render=' . $id, '--no-plugin-parser' ) );

		$this->assertSame( array( 'WP_Block_Parser' ), $without['parsers_used'] );
		$this->assertSame( array( self::native_expected() ? 'Witsper_Block_Parser' : 'WP_Block_Parser' ), $with['parsers_used'] );
		$this->assertGreaterThan( 0, strlen( $with['html'] ) );
		$this->assertSame( $without['html'], $with['html'] );
	}
}
