import pytest

from signkit.errors import MissingExtraError
from signkit.extras import require


def test_missing_extra_names_the_install_command():
    with pytest.raises(MissingExtraError) as err:
        require("signkit_no_such_module", "extract")
    assert str(err.value) == ("this needs the 'extract' extra (signkit_no_such_module is not "
                              "installed): pip install 'signkit[extract]'")
    assert require("json", "core").dumps([1]) == "[1]"
