"""The emulator fixture itself: moto answers a JSON-protocol call made through clishape."""


def test_dynamodb_list_tables_through_moto(moto):
    result = moto.run("dynamodb", "list-tables")
    assert result.exit_code == 0, result.stderr
    assert '"TableNames": []' in result.stdout
