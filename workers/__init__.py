"""Scale-out OCR: page batches read by Celery workers on many machines (workers/app.py, workers/remote.py)."""
