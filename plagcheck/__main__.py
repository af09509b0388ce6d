from plagcheck.cli import cli

cli()
