"""The program ``spark-submit`` runs: the ``zhili`` command line, in the driver.

    spark-submit [options] …/zhili/batch/submit.py replay EVENTS --pack P --as-of T \
        --engine spark --out DIR

(docs/spark.md). Imports are absolute: spark-submit runs this file as a script.
"""

from zhili.cli import main

if __name__ == "__main__":
    main()
