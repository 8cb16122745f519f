from django.db import migrations


def load(apps, schema_editor):
    from kvitt.interregion.directory import load_region_directory

    load_region_directory(apps.get_model("interregion", "RegionDirectory"))


class Migration(migrations.Migration):
    dependencies = [("interregion", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
