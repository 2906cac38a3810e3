<?php
/**
 * Witsper_Block_Parser that records whether parse() fell back to WordPress's PHP parser:
 * WP_Block_Parser::parse() is the only caller of proceed(), so a call to proceed() means
 * the native path was not used for this document. Load after class-witsper-block-parser.php.
 *
 * @package witsper
 */

class Witsper_Diff_Native_Probe extends Witsper_Block_Parser {
	/** @var bool Whether the last parse() ran WordPress's PHP parser. */
	public $fell_back = false;

	public function parse( $document ) {
		$this->fell_back = false;
		return parent::parse( $document );
	}

	public function proceed() {
		$this->fell_back = true;
		return parent::proceed();
	}
}
