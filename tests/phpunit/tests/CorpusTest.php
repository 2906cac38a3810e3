<?php
/**
 * parse_blocks() inside WordPress, with the plugin's parser, against WP_Block_Parser:
 * serialize() equality on every document of the shared and the built-in corpus.
 */
class CorpusTest extends Witsper_TestCase {

	public static function corpus_files(): array {
		$files = array_merge( self::shared_corpus_files(), self::builtin_corpus_files() );
		// An empty glob would make this test pass vacuously.
		if ( count( self::shared_corpus_files() ) < 1 || count( self::builtin_corpus_files() ) < 5 ) {
			return array( 'corpus missing' => array( '/nonexistent/corpus' ) );
		}
		return self::as_provider( $files );
	}

	/**
	 * @dataProvider corpus_files
	 */
	public function test_parse_blocks_is_serialize_identical( string $file ): void {
		$this->assertFileExists( $file );
		$doc      = file_get_contents( $file );
		$expected = serialize( ( new WP_Block_Parser() )->parse( $doc ) );
		$this->assertSame( $expected, serialize( parse_blocks( $doc ) ), basename( $file ) );
		if ( self::native_expected() ) {
			// The native path really handled it (no silent fallback inside the parser).
			$this->assertIsArray( Witsper_FFI::parse_plan( $doc ), wp_json_encode( Witsper_FFI::last_error() ) );
			$this->assertSame( $expected, serialize( ( new Witsper_Block_Parser() )->parse( $doc ) ) );
		}
	}

	public function test_builtin_corpus_covers_the_listed_cases(): void {
		$names = array_map( 'basename', self::builtin_corpus_files() );
		foreach ( array( 'nesting.html', 'attrs.html', 'void.html', 'freeform.html', 'unclosed.html' ) as $needed ) {
			$this->assertContains( $needed, $names );
		}
		$this->assertSame( count( $names ), count( Witsper_Selftest::corpus() ) );
	}
}
