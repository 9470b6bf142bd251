"""Where ML people already are: training callbacks for Hugging Face ``transformers``, PyTorch Lightning
and Keras.

Each callback tracks a training from its beginning to its end with :func:`aiceberg.track`'s tracker, one
phase per epoch with the prediction of the whole training after each, and logs the footprint where the
user logs (the framework's own logging path, so MLflow, Weights & Biases, TensorBoard… receive it):

* ``aiceberg.integrations.transformers.AicebergCallback`` (extra ``[transformers]``)
* ``aiceberg.integrations.lightning.AicebergCallback`` (extra ``[lightning]``)
* ``aiceberg.integrations.keras.AicebergCallback`` (extra ``[keras]``)

The shared part, framework-free, is :mod:`aiceberg.integrations.session` (the run, the epochs, the metric
names and units) and :mod:`aiceberg.integrations.model_card` (the ``co2_eq_emissions`` block in a model
card's README). This package is a front end like ``cli`` and ``web``: nothing below imports it, and
``import aiceberg`` imports no ML library. See ``docs/integrations.md``.
"""
